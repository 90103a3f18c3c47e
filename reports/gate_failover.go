package reports

import (
	"fmt"
	"math"
	"slices"
)

// failoverFields are the per-fault gate figures.
var failoverFields = map[string]struct {
	kind valueKind
	read func(FaultFailover) (float64, string)
}{
	"timeToRecover": {kindDuration, func(f FaultFailover) (float64, string) {
		if f.TimeToRecover == nil {
			return math.Inf(1), ""
		}
		return msOf(*f.TimeToRecover), ""
	}},
	"timeToDetect": {kindDuration, func(f FaultFailover) (float64, string) {
		if f.TimeToDetect == nil {
			return 0, "no request was affected by " + f.Name
		}
		return msOf(*f.TimeToDetect), ""
	}},
	"requestsFailed": {kindNumber, func(f FaultFailover) (float64, string) { return float64(f.RequestsFailed), "" }},
	"requestsSlowed": {kindNumber, func(f FaultFailover) (float64, string) { return float64(f.RequestsSlowed), "" }},
	"retryAmplification": {kindNumber, func(f FaultFailover) (float64, string) {
		if f.RetryAmplification == nil {
			return 0, "no mesh scrapes around " + f.Name
		}
		return *f.RetryAmplification, ""
	}},
	"ejections": {kindNumber, func(f FaultFailover) (float64, string) {
		if f.Ejections == nil {
			return 0, "no mesh scrapes around " + f.Name
		}
		return *f.Ejections, ""
	}},
}

// failoverField resolves a failover figure: of the fault named, or — name nil — the worst
// over every injected fault (the maximum; sums for request counts).
func failoverField(fig string, name *string) (field, error) {
	ff, ok := failoverFields[fig]
	if !ok {
		return field{}, fmt.Errorf("unknown failover figure %q (known: %v)", fig, sortedKeys(failoverFields))
	}
	sum := fig == "requestsFailed" || fig == "requestsSlowed" || fig == "ejections"
	return field{kind: ff.kind, get: func(r *Report) (float64, string) {
		faults := injectedFaults(r, name)
		if len(faults) == 0 {
			if name != nil {
				return 0, fmt.Sprintf("fault %q was not injected", *name)
			}
			return 0, "no fault was injected"
		}
		var acc float64
		var why string
		got := false
		for _, f := range faults {
			v, w := ff.read(f)
			if w != "" {
				why = w
				continue
			}
			acc, got = combine(acc, v, sum, got), true
		}
		if !got {
			return 0, why
		}
		return acc, ""
	}}, nil
}

func combine(acc, v float64, sum, got bool) float64 {
	switch {
	case !got:
		return v
	case sum:
		return acc + v
	}
	return math.Max(acc, v)
}

// injectedFaults are the faults of r that were injected, only the one named if name is set.
func injectedFaults(r *Report, name *string) []FaultFailover {
	return slices.DeleteFunc(slices.Clone(r.Failover.Faults), func(f FaultFailover) bool {
		return f.Injected.IsZero() || name != nil && f.Name != *name
	})
}
