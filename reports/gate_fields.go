package reports

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/meshlab/meshlab/scenarios"
)

// valueKind is the unit of a gate field.
type valueKind int

const (
	kindNumber   valueKind = iota
	kindDuration           // milliseconds
	kindPercent            // 0–100
)

func (k valueKind) String() string {
	return [...]string{"number", "duration", "percent"}[k]
}

// getter reads a field's value from a report; a non-empty reason says why it has none.
// +Inf stands for "never" (a fault not recovered from).
type getter func(*Report) (v float64, reason string)

// field is a resolved gate path.
type field struct {
	kind valueKind
	get  getter
}

// resolve maps a gate path to its field.
func resolve(p []string) (field, error) {
	switch {
	case len(p) == 2 && p[0] == "failover":
		return failoverField(p[1], nil)
	case len(p) == 3 && p[0] == "faults":
		name := p[1]
		return failoverField(p[2], &name)
	case len(p) == 3 && p[0] == "slo":
		return sloField(p[1], p[2])
	case len(p) >= 2 && p[0] == "overall":
		return statsField(p[1:], func(r *Report) (Stats, string) { return r.Overall, "" })
	case len(p) >= 3 && p[0] == "phase":
		name := p[1]
		return statsField(p[2:], func(r *Report) (Stats, string) {
			i := slices.IndexFunc(r.Phases, func(ph Phase) bool { return ph.Name == name })
			if i < 0 {
				return Stats{}, fmt.Sprintf("no phase %q in this run", name)
			}
			return r.Phases[i].Stats, ""
		})
	case len(p) >= 3 && p[0] == "route":
		name := p[1]
		return statsField(p[2:], func(r *Report) (Stats, string) {
			s, ok := r.Routes[name]
			if !ok || s.Requests == 0 {
				return Stats{}, fmt.Sprintf("no request on route %q", name)
			}
			return s, ""
		})
	}
	return field{}, fmt.Errorf("unknown field %q (known: failover.*, faults.<name>.*, slo.*, overall.*, phase.<name>.*, route.\"<route>\".*)", strings.Join(p, "."))
}

// statsReader reads one figure of a Stats.
type statsReader struct {
	kind valueKind
	read func(Stats) float64
}

// statsFields are the gate fields of a Stats, by path.
var statsFields = map[string]statsReader{
	"latency.p50":    {kindDuration, func(s Stats) float64 { return msOf(s.Latency.P50) }},
	"latency.p90":    {kindDuration, func(s Stats) float64 { return msOf(s.Latency.P90) }},
	"latency.p99":    {kindDuration, func(s Stats) float64 { return msOf(s.Latency.P99) }},
	"latency.p999":   {kindDuration, func(s Stats) float64 { return msOf(s.Latency.P999) }},
	"latency.max":    {kindDuration, func(s Stats) float64 { return msOf(s.Latency.Max) }},
	"latency.mean":   {kindDuration, func(s Stats) float64 { return msOf(s.Latency.Mean) }},
	"sendLag.p99":    {kindDuration, func(s Stats) float64 { return msOf(s.SendLag.P99) }},
	"successPercent": {kindPercent, func(s Stats) float64 { return s.SuccessPercent }},
	"requests":       {kindNumber, func(s Stats) float64 { return float64(s.Requests) }},
	"throughput":     {kindNumber, func(s Stats) float64 { return s.Throughput }},
	"achievedRate":   {kindNumber, func(s Stats) float64 { return s.AchievedRate }},
}

// statsField resolves the rest of a path within the Stats src picks.
func statsField(rest []string, src func(*Report) (Stats, string)) (field, error) {
	key := strings.Join(rest, ".")
	sr, ok := statsFields[key]
	if !ok {
		return field{}, fmt.Errorf("unknown figure %q (known: %s)", key, strings.Join(sortedKeys(statsFields), ", "))
	}
	return field{kind: sr.kind, get: func(r *Report) (float64, string) {
		s, why := src(r)
		if why != "" {
			return 0, why
		}
		return sr.read(s), ""
	}}, nil
}

// sloField resolves slo.<availability|latency>.<budgetSpent|achieved>.
func sloField(slo, fig string) (field, error) {
	pick := func(r *Report) *SLOResult {
		if slo == "availability" {
			return r.SLO.Availability
		}
		return r.SLO.Latency
	}
	if slo != "availability" && slo != "latency" {
		return field{}, fmt.Errorf("unknown SLO %q (availability or latency)", slo)
	}
	var read func(*SLOResult) float64
	switch fig {
	case "budgetSpent":
		read = func(s *SLOResult) float64 {
			if s.Budget.SpentPercent == nil {
				return math.Inf(1)
			}
			return *s.Budget.SpentPercent
		}
	case "achieved":
		read = func(s *SLOResult) float64 { return s.AchievedPercent }
	default:
		return field{}, fmt.Errorf("unknown SLO figure %q (budgetSpent or achieved)", fig)
	}
	return field{kind: kindPercent, get: func(r *Report) (float64, string) {
		s := pick(r)
		if s == nil {
			return 0, "the scenario sets no " + slo + " SLO"
		}
		return read(s), ""
	}}, nil
}

// msOf is d in milliseconds.
func msOf(d Duration) float64 { return float64(d) / float64(time.Millisecond) }

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// checkNames checks the fault, phase and route names a path uses.
func checkNames(p []string, faults []string) error {
	switch p[0] {
	case "faults":
		if !slices.Contains(faults, p[1]) {
			return fmt.Errorf("no fault %q in the scenario (faults: %s)", p[1], strings.Join(faults, ", "))
		}
	case "route":
		if p[1] != OtherRoute && !slices.Contains(scenarios.Routes, p[1]) {
			return fmt.Errorf("unknown route %q (routes: %s)", p[1], strings.Join(scenarios.Routes, ", "))
		}
	case "phase":
		return checkPhaseName(p[1], faults)
	}
	return nil
}

// checkPhaseName accepts baseline, fault:<f>[+<g>…] and recovery:<f>, with suffixes.
func checkPhaseName(name string, faults []string) error {
	base, _, _ := strings.Cut(name, "@")
	base, _, _ = strings.Cut(base, "#")
	if base == PhaseBaseline {
		return nil
	}
	kind, rest, _ := strings.Cut(base, ":")
	if kind == PhaseFault || kind == PhaseRecovery {
		ok := true
		for _, f := range strings.Split(rest, "+") {
			ok = ok && slices.Contains(faults, f)
		}
		if ok && (kind == PhaseFault || !strings.Contains(rest, "+")) {
			return nil
		}
	}
	return fmt.Errorf("unknown phase %q (baseline, fault:<fault>, recovery:<fault>; faults: %s)", name, strings.Join(faults, ", "))
}
