package reports

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// count writes n with thousands separators: 12,345.
func count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// rate writes a rate in requests per second to one decimal.
func rate(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// floorPercent writes an achieved percentage to at most 3 decimals, rounded down, so that
// 99.9996% never shows as 100%.
func floorPercent(x float64) string {
	return trimFloat(math.Floor(x*1000+1e-9)/1000, 3) + "%"
}

// plainPercent writes an objective as it was set: 99.9%.
func plainPercent(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) + "%" }

// trimFloat writes x to prec decimals, trailing zeros dropped.
func trimFloat(x float64, prec int) string {
	s := strconv.FormatFloat(x, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// upperFirst is s with its first letter in upper case.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
