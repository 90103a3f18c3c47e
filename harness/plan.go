package harness

import (
	"fmt"
	"strings"

	cm "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/reports"
	"github.com/meshlab/meshlab/scenarios"
)

// plan expands a scenario's faults (schedules included) and policy changes onto the run's
// clock. Selection happens at each firing's injection, drawn from the run's seed and the
// firing's name, so a rerun picks the same instances.
func plan(sc scenarios.Scenario) ([]firing, []policyChange, error) {
	plans, err := sc.FaultPlan(sc.Load.Duration.Duration)
	if err != nil {
		return nil, nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	workloads := sc.Workloads()
	var firings []firing
	for _, p := range plans {
		sel, target, err := selectors(p.Object)
		if err != nil {
			return nil, nil, fmt.Errorf("scenario %s: fault %s: %w", sc.Name, p.Name, err)
		}
		name := p.Name
		firings = append(firings, firing{
			fault: clusters.Fault{Name: name, Kind: p.Kind, Action: p.Action, Object: p.Object, Duration: p.Duration},
			at:    p.At, oneShot: p.Action == string(cm.PodKillAction) || p.Action == string(cm.ContainerKillAction),
			selector: func([]clusters.Workload) ([]string, []string, error) {
				rng := scenarios.FaultRand(sc.Seed, name)
				picked, err := scenarios.Select(sel.Selector, sel.Mode, sel.Value, workloads, rng)
				if err != nil || target == nil {
					return picked, nil, err
				}
				targets, err := scenarios.Select(target.Selector, target.Mode, target.Value, workloads, rng)
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
	return firings, changes, nil
}

// selectors returns a Chaos Mesh object's pod selector and, for NetworkChaos, its target's.
func selectors(obj any) (cm.PodSelector, *cm.PodSelector, error) {
	switch o := obj.(type) {
	case *cm.PodChaos:
		return o.Spec.PodSelector, nil, nil
	case *cm.NetworkChaos:
		return o.Spec.PodSelector, o.Spec.Target, nil
	case *cm.HTTPChaos:
		return o.Spec.PodSelector, nil, nil
	case *cm.StressChaos:
		return o.Spec.PodSelector, nil, nil
	}
	return cm.PodSelector{}, nil, fmt.Errorf("%T cannot be realized", obj)
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
