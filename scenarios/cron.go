package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// RunEpoch is the wall time the run's clock starts at when evaluating cron schedules, so a
// rerun replays the same firings: midnight UTC, 1 January 2000 (a Saturday).
var RunEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// cronSpec is a parsed schedule: either a constant delay (@every) or sets of allowed values.
type cronSpec struct {
	every                           time.Duration
	sec, min, hour, dom, month, dow uint64
	domStar, dowStar                bool
}

var macros = map[string]string{
	"@yearly": "0 0 0 1 1 *", "@annually": "0 0 0 1 1 *", "@monthly": "0 0 0 1 * *",
	"@weekly": "0 0 0 * * 0", "@daily": "0 0 0 * * *", "@midnight": "0 0 0 * * *", "@hourly": "0 0 * * * *",
}

type cronField struct {
	lo, hi int
	names  []string
}

var cronFields = []cronField{
	{0, 59, nil}, {0, 59, nil}, {0, 23, nil}, {1, 31, nil},
	{1, 12, []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
	{0, 6, []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}

// parseCron reads robfig/cron v3's standard syntax as Chaos Mesh uses it: 5 fields, or 6 with
// leading seconds, the @yearly…@hourly macros and "@every <duration>" (rounded to whole
// seconds, at least 1s). CRON_TZ/TZ prefixes are accepted and ignored: the run clock is UTC.
func parseCron(s string) (cronSpec, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "CRON_TZ=") || strings.HasPrefix(s, "TZ=") {
		_, s, _ = strings.Cut(s, " ")
	}
	if rest, ok := strings.CutPrefix(s, "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil {
			return cronSpec{}, fmt.Errorf("@every: %w", err)
		}
		return cronSpec{every: max(d.Round(time.Second), time.Second)}, nil
	}
	if m, ok := macros[s]; ok {
		s = m
	}
	fs := strings.Fields(s)
	switch len(fs) {
	case 5:
		fs = append([]string{"0"}, fs...)
	case 6:
	default:
		return cronSpec{}, fmt.Errorf("want 5 or 6 fields (or a @macro), got %d in %q", len(fs), s)
	}
	var c cronSpec
	dst := []*uint64{&c.sec, &c.min, &c.hour, &c.dom, &c.month, &c.dow}
	for i, f := range fs {
		bits, err := parseCronField(f, cronFields[i])
		if err != nil {
			return cronSpec{}, fmt.Errorf("field %q: %w", f, err)
		}
		*dst[i] = bits
	}
	c.domStar, c.dowStar = strings.HasPrefix(fs[3], "*") || fs[3] == "?", strings.HasPrefix(fs[5], "*") || fs[5] == "?"
	return c, nil
}

// parseCronField reads a comma-separated list of *, ?, N, N-M, with an optional /step.
func parseCronField(f string, cf cronField) (uint64, error) {
	var bits uint64
	for _, part := range strings.Split(f, ",") {
		rng, stepS, hasStep := strings.Cut(part, "/")
		lo, hi := cf.lo, cf.hi
		if rng != "*" && rng != "?" {
			a, b, isRange := strings.Cut(rng, "-")
			var err error
			if lo, err = cronValue(a, cf); err != nil {
				return 0, err
			}
			hi = lo
			if isRange {
				if hi, err = cronValue(b, cf); err != nil {
					return 0, err
				}
			} else if hasStep {
				hi = cf.hi
			}
		}
		step := 1
		if hasStep {
			var err error
			if step, err = strconv.Atoi(stepS); err != nil || step <= 0 {
				return 0, fmt.Errorf("bad step %q", stepS)
			}
		}
		if lo > hi {
			return 0, fmt.Errorf("beginning of range (%d) beyond end of range (%d)", lo, hi)
		}
		for v := lo; v <= hi; v += step {
			bits |= 1 << uint(v)
		}
	}
	return bits, nil
}

func cronValue(s string, cf cronField) (int, error) {
	for i, n := range cf.names {
		if strings.EqualFold(s, n) {
			return cf.lo + i, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < cf.lo || v > cf.hi {
		return 0, fmt.Errorf("value %q out of range [%d, %d]", s, cf.lo, cf.hi)
	}
	return v, nil
}

// next is the first firing strictly after t, and false when there is none within 5 years.
func (c cronSpec) next(t time.Time) (time.Time, bool) {
	if c.every > 0 {
		return t.Add(c.every), true
	}
	t = t.Truncate(time.Second).Add(time.Second)
	for limit := t.AddDate(5, 0, 0); t.Before(limit); {
		switch {
		case c.month&(1<<uint(t.Month())) == 0:
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, t.Location())
		case !c.dayMatches(t):
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, t.Location())
		case c.hour&(1<<uint(t.Hour())) == 0:
			t = t.Truncate(time.Hour).Add(time.Hour)
		case c.min&(1<<uint(t.Minute())) == 0:
			t = t.Truncate(time.Minute).Add(time.Minute)
		case c.sec&(1<<uint(t.Second())) == 0:
			t = t.Add(time.Second)
		default:
			return t, true
		}
	}
	return time.Time{}, false
}

// dayMatches follows cron: when both day-of-month and day-of-week are restricted, either may match.
func (c cronSpec) dayMatches(t time.Time) bool {
	dom := c.dom&(1<<uint(t.Day())) != 0
	dow := c.dow&(1<<uint(t.Weekday())) != 0
	if c.domStar || c.dowStar {
		return dom && dow
	}
	return dom || dow
}
