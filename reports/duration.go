package reports

import (
	"math"
	"strconv"
	"time"
)

// Duration is a time.Duration that JSON writes as a number of milliseconds, exact to the
// nanosecond (12.345678). Fields holding one have names ending in "Ms".
type Duration time.Duration

// MarshalJSON writes d as a number of milliseconds.
func (d Duration) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(d)/1e6, 'f', -1, 64), nil
}

// UnmarshalJSON reads a number of milliseconds, rounded to the nanosecond.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	ms, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*d = Duration(math.Round(ms * 1e6))
	return nil
}

// String writes d in three significant digits: "850µs", "12.3ms", "1.23s", "0s".
func (d Duration) String() string {
	v := time.Duration(d)
	switch a := v.Abs(); {
	case a == 0:
		return "0s"
	case a < time.Microsecond:
		return strconv.FormatInt(int64(v), 10) + "ns"
	case a < time.Millisecond:
		return sig3(float64(v)/1e3) + "µs"
	case a < time.Second:
		return sig3(float64(v)/1e6) + "ms"
	default:
		return sig3(v.Seconds()) + "s"
	}
}

// sig3 writes x with three significant digits, trailing zeros dropped, never in exponent form;
// all integer digits are kept.
func sig3(x float64) string {
	prec := 2
	switch a := math.Abs(x); {
	case a >= 99.95:
		prec = 0
	case a >= 9.995:
		prec = 1
	}
	return trimFloat(x, prec)
}
