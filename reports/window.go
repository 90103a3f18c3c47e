package reports

import (
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// window is the measured window of a run. Samples intended from start on count; a request
// counts as sent within the window when it actually left in [start, end].
type window struct {
	origin, start, end time.Time // origin: the attack's start, offset 0 of the schedule
}

// measuredWindow is the window of a run: from StartedAt + warm-up to the end of the schedule.
// An interrupted run (or one whose schedule has no length) ends at its last send, intended or
// actual, when that came earlier. A run without StartedAt starts at its earliest sample.
func measuredWindow(m Meta, results []vegeta.Result) window {
	var first, last time.Time
	for i := range results {
		r := &results[i]
		if first.IsZero() || r.Timestamp.Before(first) {
			first = r.Timestamp
		}
		last = latest(last, r.Timestamp, r.Timestamp.Add(sendLag(r)))
	}
	origin := m.StartedAt
	if origin.IsZero() {
		origin = first
	}
	length := scheduleOf(m.Scenario.Load).length()
	w := window{origin: origin, start: origin.Add(m.Scenario.Warmup.Duration), end: origin.Add(length)}
	if length <= 0 || m.Interrupted && last.Before(w.end) {
		w.end = last
	}
	w.end = latest(w.end, w.start)
	return w
}

// sentWithin reports whether a request actually sent at t left within the window.
func (w window) sentWithin(t time.Time) bool { return !t.Before(w.start) && !t.After(w.end) }

// length is how long the window lasts.
func (w window) length() time.Duration { return w.end.Sub(w.start) }

// export is the window as the report shows it, with the number of samples left out as warm-up.
func (w window) export(warm int) Window {
	return Window{
		Start: w.start.UTC(), End: w.end.UTC(), Warmup: Duration(w.start.Sub(w.origin)),
		Measured: Duration(w.length()), WarmupRequests: warm,
	}
}

// latest is the latest of ts, the zero time for none.
func latest(ts ...time.Time) time.Time {
	var l time.Time
	for _, t := range ts {
		if t.After(l) {
			l = t
		}
	}
	return l
}
