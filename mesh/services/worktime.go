package services

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrBadWorkTime is wrapped by every error of ParseWorkTime and by New for an invalid Config.Work.
var ErrBadWorkTime = errors.New("bad work time")

// maxSigma bounds the lognormal shape: beyond it a draw spans dozens of orders of magnitude,
// which no scenario means.
const maxSigma = 10

// WorkTime is a per-request work-time distribution: how long a service instance works on each
// request before answering.
type WorkTime struct {
	Fixed  time.Duration // used when Median == 0
	Median time.Duration // lognormal median (mu = ln(median)); zero: fixed
	Sigma  float64       // lognormal shape (standard deviation of the log), 0..10
}

// ParseWorkTime parses "" (no work), "fixed:5ms" or "lognormal:median=5ms,sigma=0.5" (the two
// parameters in either order). Errors wrap ErrBadWorkTime and quote the input.
func ParseWorkTime(s string) (WorkTime, error) {
	if s == "" {
		return WorkTime{}, nil
	}
	kind, args, ok := strings.Cut(s, ":")
	var w WorkTime
	var err error
	switch {
	case !ok:
		err = errors.New(`want "fixed:<duration>" or "lognormal:median=<duration>,sigma=<number>"`)
	case kind == "fixed":
		w.Fixed, err = parseDuration("fixed", args)
	case kind == "lognormal":
		w, err = parseLognormal(args)
	default:
		err = fmt.Errorf("unknown distribution %q (want fixed or lognormal)", kind)
	}
	if err == nil {
		err = w.validate()
	}
	if err != nil {
		return WorkTime{}, fmt.Errorf("%w %q: %s", ErrBadWorkTime, s, err.Error())
	}
	return w, nil
}

// parseLognormal parses "median=<duration>,sigma=<number>".
func parseLognormal(args string) (WorkTime, error) {
	var w WorkTime
	seen := map[string]bool{}
	for _, kv := range strings.Split(args, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || seen[k] {
			return w, fmt.Errorf("lognormal: bad or repeated parameter %q (want median=<duration>,sigma=<number>)", kv)
		}
		seen[k] = true
		var err error
		switch k {
		case "median":
			w.Median, err = parseDuration("median", v)
		case "sigma":
			w.Sigma, err = strconv.ParseFloat(v, 64)
			if err != nil {
				err = fmt.Errorf("sigma %q is not a number", v)
			}
		default:
			err = fmt.Errorf("lognormal: unknown parameter %q (want median and sigma)", k)
		}
		if err != nil {
			return w, err
		}
	}
	if !seen["median"] || !seen["sigma"] {
		return w, errors.New("lognormal needs both median=<duration> and sigma=<number>")
	}
	if w.Median == 0 {
		return w, errors.New("lognormal median must be positive")
	}
	return w, nil
}

func parseDuration(field, v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a duration like 5ms", field, v)
	}
	return d, nil
}

// validate reports the first problem of w, unwrapped.
func (w WorkTime) validate() error {
	switch {
	case w.Fixed < 0:
		return fmt.Errorf("fixed %s is negative", w.Fixed)
	case w.Median < 0:
		return fmt.Errorf("median %s is negative", w.Median)
	case math.IsNaN(w.Sigma) || w.Sigma < 0 || w.Sigma > maxSigma:
		return fmt.Errorf("sigma %g is outside 0..%d", w.Sigma, maxSigma)
	}
	return nil
}

// String returns w in the form ParseWorkTime reads: "" for no work, "fixed:5ms", or
// "lognormal:median=5ms,sigma=0.5" (Fixed is ignored once Median is set).
func (w WorkTime) String() string {
	switch {
	case w.Median != 0:
		return "lognormal:median=" + w.Median.String() + ",sigma=" + strconv.FormatFloat(w.Sigma, 'g', -1, 64)
	case w.Fixed != 0:
		return "fixed:" + w.Fixed.String()
	default:
		return ""
	}
}
