package load

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// segment is a stretch of a schedule whose rate goes linearly from `from` to `to` hits per
// second over dur: a step when from == to, a ramp otherwise.
type segment struct {
	from, to float64
	dur      time.Duration

	start  time.Duration // offset of the segment from the start of the schedule
	before float64       // hits due before the segment
}

// slope is the segment's change of rate in hits/s².
func (s segment) slope() float64 { return (s.to - s.from) / s.dur.Seconds() }

// count is the number of hits the segment calls for.
func (s segment) count() float64 { return (s.from + s.to) / 2 * s.dur.Seconds() }

// hits is the expected number of hits in the first tau seconds of the segment.
func (s segment) hits(tau float64) float64 { return s.from*tau + s.slope()*tau*tau/2 }

// offset is the time in seconds into the segment at which its m-th hit is due: the root of
// slope·τ²/2 + from·τ − m = 0, written 2m / (from + √(from² + 2·slope·m)) so that it neither
// cancels nor divides by zero when the slope is 0 or the rate starts at 0.
func (s segment) offset(m float64) float64 {
	if m <= 0 {
		return 0
	}
	disc := max(s.from*s.from+2*s.slope()*m, 0)
	return min(2*m/(s.from+math.Sqrt(disc)), s.dur.Seconds())
}

// schedule is a piecewise-linear rate over time; every Profile is one.
type schedule struct {
	name  string
	segs  []segment
	dur   time.Duration
	hits  float64 // Hits(dur)
	total uint64
}

var _ Profile = (*schedule)(nil)

func newSchedule(name string, segs []segment) (*schedule, error) {
	sc := &schedule{name: name, segs: segs}
	for i := range segs {
		s := &segs[i]
		switch {
		case s.dur <= 0:
			return nil, fmt.Errorf("duration %s must be positive", s.dur)
		case s.from < 0 || s.to < 0 || math.IsNaN(s.from+s.to) || math.IsInf(s.from+s.to, 0):
			if s.from == s.to {
				return nil, fmt.Errorf("rate %g must be finite and non-negative", s.from)
			}
			return nil, fmt.Errorf("rate %g→%g must be finite and non-negative", s.from, s.to)
		}
		s.start, s.before = sc.dur, sc.hits
		sc.dur += s.dur
		sc.hits += s.count()
	}
	if sc.hits <= 0 {
		return nil, errors.New("the schedule calls for no hit")
	}
	sc.total = sc.count()
	return sc, nil
}

// count is the number of hits n with At(n) < dur, At being non-decreasing.
func (sc *schedule) count() uint64 {
	n := uint64(math.Ceil(sc.hits))
	for n > 0 && sc.At(n-1) >= sc.dur {
		n--
	}
	for sc.At(n) < sc.dur {
		n++
	}
	return n
}

// At implements Profile.
func (sc *schedule) At(n uint64) time.Duration {
	m := float64(n)
	for _, s := range sc.segs {
		if m < s.before+s.count() {
			return s.start + seconds(s.offset(m-s.before))
		}
	}
	return sc.dur
}

// Hits implements Profile.
func (sc *schedule) Hits(t time.Duration) float64 {
	switch {
	case t <= 0:
		return 0
	case t >= sc.dur:
		return sc.hits
	}
	s := sc.segs[sc.find(t)]
	return s.before + s.hits((t - s.start).Seconds())
}

// Rate implements vegeta.Pacer: the instantaneous rate in hits per second.
func (sc *schedule) Rate(elapsed time.Duration) float64 {
	if elapsed < 0 || elapsed >= sc.dur {
		return 0
	}
	s := sc.segs[sc.find(elapsed)]
	return s.from + s.slope()*(elapsed-s.start).Seconds()
}

// Pace implements vegeta.Pacer: wait until hit number hits is due, stop after the schedule.
func (sc *schedule) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	at := sc.At(hits)
	if at >= sc.dur {
		return 0, true
	}
	return max(at-elapsed, 0), false
}

// Duration implements Profile.
func (sc *schedule) Duration() time.Duration { return sc.dur }

// Total implements Profile.
func (sc *schedule) Total() uint64 { return sc.total }

// String describes the schedule for logs.
func (sc *schedule) String() string {
	return fmt.Sprintf("%s: %d hits over %s", sc.name, sc.total, sc.dur)
}

// find is the index of the segment that holds offset t.
func (sc *schedule) find(t time.Duration) int {
	i := len(sc.segs) - 1
	for i > 0 && t < sc.segs[i].start {
		i--
	}
	return i
}

func seconds(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }
