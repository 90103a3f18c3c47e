package harness

import (
	"fmt"
	"strings"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/reports"
	"github.com/meshlab/meshlab/scenarios"
)

// plan puts a scenario's fault plan (schedules expanded) and policy changes on the run's
// clock. Selection happens at each firing's injection, drawn from the run's seed and the
// firing's name, so a rerun picks the same instances.
func plan(sc scenarios.Scenario, plans scenarios.FaultPlan) ([]firing, []policyChange) {
	workloads := sc.Workloads()
	var firings []firing
	for _, p := range plans {
		f := p.Fault
		firings = append(firings, firing{fault: clusters.Fault{Fault: f},
			selector: func([]clusters.Workload) ([]string, []string, error) {
				rng := scenarios.FaultRand(sc.Seed, f.Name)
				picked, err := scenarios.Select(f.Selector.Selector, f.Selector.Mode, f.Selector.Value, workloads, rng)
				if err != nil || f.Target == nil {
					return picked, nil, err
				}
				targets, err := scenarios.Select(f.Target.Selector, f.Target.Mode, f.Target.Value, workloads, rng)
				return picked, targets, err
			},
		})
	}
	var changes []policyChange
	for i, pc := range sc.PolicyChanges {
		name := pc.Policy.Metadata.Name
		if name == "" {
			name = fmt.Sprintf("policy-change-%d", i+1)
		}
		changes = append(changes, policyChange{at: pc.At.Duration, name: name, policy: pc.Policy})
	}
	return firings, changes
}

// fill copies the run's timeline into the report metadata.
func (c *chaos) fill(m *reports.Meta) {
	c.tl.mu.Lock()
	defer c.tl.mu.Unlock()
	for _, e := range c.tl.faults {
		diffs := e.differences
		if e.err != "" {
			diffs = append(diffs, "not injected: "+e.err)
		}
		m.Faults = append(m.Faults, reports.FaultRecord{Name: e.name, Kind: e.kind, Action: e.action,
			Selected: e.selected, Scheduled: e.scheduled, Injected: e.injected, Removed: e.removed, Differences: diffs})
	}
	for _, p := range c.tl.policies {
		m.PolicyChanges = append(m.PolicyChanges, reports.PolicyMark{At: p.at, Name: p.name, Version: p.version})
	}
}

func toCPUSamples(s []cpuSample) []reports.CPUSample {
	out := make([]reports.CPUSample, len(s))
	for i, v := range s {
		out[i] = reports.CPUSample{At: v.At, BusyPercent: v.BusyPercent}
	}
	return out
}

// activeFaults names the faults in force now, for the live line.
func (c *chaos) activeFaults() string {
	c.tl.mu.Lock()
	defer c.tl.mu.Unlock()
	var names []string
	for _, e := range c.tl.faults {
		if !e.injected.IsZero() && e.removed.IsZero() {
			names = append(names, e.name)
		}
	}
	return strings.Join(names, ",")
}
