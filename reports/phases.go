package reports

import (
	"fmt"
	"slices"
	"time"
)

// Phase kinds.
const (
	PhaseBaseline = "baseline" // from the end of the warm-up to the first fault injection
	PhaseFault    = "fault"    // while a fault is injected
	PhaseRecovery = "recovery" // after a fault is removed, until the next fault or the end
)

// Phase is one stretch of the measured window, analysed like the whole: baseline, a fault
// window ("fault:<name>"), the recovery after it ("recovery:<name>"); a policy change splits
// a phase, the part after it named "<phase>@<policy>/v<version>".
type Phase struct {
	Name   string           `json:"name"`
	Kind   string           `json:"kind"`
	Faults []string         `json:"faults"` // faults active during the phase
	Start  time.Time        `json:"start"`  // UTC
	End    time.Time        `json:"end"`    // UTC
	Length Duration         `json:"lengthMs"`
	Stats  Stats            `json:"overall"`
	Routes map[string]Stats `json:"routes"`
	SLO    SLOReport        `json:"slo"`
	// Burn is each SLO's burn rate over the phase: bad ratio ÷ (1 − objective).
	Burn BurnRates `json:"burn"`
	// Mesh is what the sidecars counted over the phase; null without scrapes around it.
	Mesh *MeshView `json:"mesh"`
}

// BurnRates are the burn rates of the SLOs set, null for an SLO not set.
type BurnRates struct {
	Availability *float64 `json:"availability"`
	Latency      *float64 `json:"latency"`
}

// phaseSpan is a phase before analysis.
type phaseSpan struct {
	name, kind string
	faults     []string
	start, end time.Time
}

// phaseEvent is a moment a phase may change: a fault in or out, or a policy change.
type phaseEvent struct {
	at             time.Time
	fault, label   string
	in, out, isPol bool
}

// phaseSpans cuts w into phases at fault injections, removals and policy changes.
func phaseSpans(m Meta, w window) []phaseSpan {
	evs := phaseEvents(m, w)
	var spans []phaseSpan
	var active []string
	kind, base, suffix := PhaseBaseline, PhaseBaseline, ""
	start := w.start
	for _, e := range append(evs, phaseEvent{at: w.end}) {
		if e.at.After(start) {
			spans = append(spans, phaseSpan{name: base + suffix, kind: kind, faults: slices.Clone(active), start: start, end: e.at})
			start = e.at
		}
		switch {
		case e.isPol:
			suffix = "@" + e.label
			continue
		case e.in:
			active = append(active, e.fault)
		case e.out:
			active = slices.DeleteFunc(active, func(s string) bool { return s == e.fault })
		default:
			continue
		}
		suffix = ""
		kind, base = phaseName(active, e.fault)
	}
	return uniqueNames(spans)
}

// phaseName names the phase that begins once active faults are active, last the fault that
// just changed.
func phaseName(active []string, last string) (kind, name string) {
	if len(active) == 0 {
		return PhaseRecovery, PhaseRecovery + ":" + last
	}
	n := PhaseFault + ":" + active[0]
	for _, f := range active[1:] {
		n += "+" + f
	}
	return PhaseFault, n
}

// phaseEvents lists the events inside w in time order, removals before injections at the same
// moment.
func phaseEvents(m Meta, w window) []phaseEvent {
	var evs []phaseEvent
	inside := func(t time.Time) time.Time {
		if t.Before(w.start) {
			return w.start
		}
		return t
	}
	for _, f := range m.Faults {
		if f.Injected.IsZero() || !f.Injected.Before(w.end) {
			continue
		}
		evs = append(evs, phaseEvent{at: inside(f.Injected), fault: f.Name, in: true})
		if !f.Removed.IsZero() && f.Removed.Before(w.end) {
			evs = append(evs, phaseEvent{at: inside(f.Removed), fault: f.Name, out: true})
		}
	}
	for _, p := range m.PolicyChanges {
		if p.At.After(w.start) && p.At.Before(w.end) {
			evs = append(evs, phaseEvent{at: p.At, isPol: true, label: fmt.Sprintf("%s/v%d", p.Name, p.Version)})
		}
	}
	slices.SortStableFunc(evs, func(a, b phaseEvent) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return eventRank(a) - eventRank(b)
	})
	return evs
}

func eventRank(e phaseEvent) int {
	switch {
	case e.out:
		return 0
	case e.in:
		return 1
	}
	return 2
}

// uniqueNames suffixes repeated phase names with #2, #3, ….
func uniqueNames(spans []phaseSpan) []phaseSpan {
	seen := map[string]int{}
	for i := range spans {
		seen[spans[i].name]++
		if n := seen[spans[i].name]; n > 1 {
			spans[i].name += fmt.Sprintf("#%d", n)
		}
	}
	return spans
}
