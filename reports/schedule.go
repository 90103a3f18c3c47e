package reports

import (
	"time"

	"github.com/meshlab/meshlab/scenarios"
)

// schedule is a load profile as rates over time: what the harness's pacer follows, seen from
// the report's side (reports cannot import harness).
type schedule []rateSegment

// rateSegment runs linearly from rate from to rate to (req/s) over dur.
type rateSegment struct {
	from, to float64
	dur      time.Duration
}

// scheduleOf is l's schedule: "constant" (the default), "ramp" or "steps".
func scheduleOf(l scenarios.Load) schedule {
	switch l.Profile {
	case "steps":
		s := make(schedule, 0, len(l.Steps))
		for _, st := range l.Steps {
			s = append(s, rateSegment{from: st.Rate, to: st.Rate, dur: st.Duration.Duration})
		}
		return s
	case "ramp":
		return schedule{{from: l.Rate, to: l.To, dur: l.Duration.Duration}}
	default:
		return schedule{{from: l.Rate, to: l.Rate, dur: l.Duration.Duration}}
	}
}

// length is how long the schedule runs.
func (s schedule) length() time.Duration {
	var d time.Duration
	for _, seg := range s {
		d += max(seg.dur, 0)
	}
	return d
}

// hits is the expected number of requests scheduled from the start to offset t.
func (s schedule) hits(t time.Duration) float64 {
	var n float64
	for _, seg := range s {
		if t <= 0 || seg.dur <= 0 {
			continue
		}
		d := min(t, seg.dur)
		x, span := d.Seconds(), seg.dur.Seconds()
		n += seg.from*x + (seg.to-seg.from)*x*x/(2*span)
		t -= d
	}
	return n
}

// meanRate is the mean scheduled rate between offsets a and b (req/s), 0 for an empty span.
func (s schedule) meanRate(a, b time.Duration) float64 {
	if b <= a {
		return 0
	}
	return (s.hits(b) - s.hits(a)) / (b - a).Seconds()
}
