package scenarios

import (
	"slices"
	"strings"

	cm "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"github.com/meshlab/meshlab/mesh/policy"
)

var (
	// realizedActions are the actions meshlab realizes, by kind; a kind absent here realizes
	// whatever its spec asks (HTTPChaos, StressChaos).
	realizedActions = map[string][]string{
		"PodChaos":     {"pod-kill", "pod-failure", "container-kill"},
		"NetworkChaos": {"netem", "delay", "loss", "corrupt", "duplicate", "bandwidth", "partition"},
	}
	containerNames = []string{"service", "sidecar"}
)

// validateFaults checks every fault: Chaos Mesh's decoding and validation, then what meshlab
// can realize on this topology. sc is the defaulted scenario.
func (sc *Scenario) validateFaults() []Problem {
	var ps problems
	load, loadOK := sc.Load.measuredDuration()
	names := map[string]int{}
	for i, fs := range sc.Faults {
		path := "faults" + indexSegment(i)
		if at := fs.At.Duration; at < 0 || loadOK && at >= load {
			ps.addf(path+".at", "must be in [0, load duration %s), got %s", load, at)
		}
		obj, sub := DecodeChaos(fs.Object, sc.namespace())
		ps.under(path, sub)
		if obj == nil {
			continue
		}
		name := obj.(interface{ GetName() string }).GetName()
		if j, dup := names[name]; dup {
			ps.addf(path+".metadata.name", "duplicate fault name %q, first used by faults[%d]", name, j)
		}
		names[name] = i
		cronReported := slices.ContainsFunc(sub, func(p Problem) bool { return p.Path == "spec.schedule" })
		ps.under(path, sc.realizable(obj, !cronReported))
	}
	return ps
}

// realizable checks that meshlab can realize the object on the scenario's workloads.
// checkCron is false when Chaos Mesh has already refused the schedule.
func (sc *Scenario) realizable(obj any, checkCron bool) []Problem {
	var ps problems
	spec := "spec"
	if s, ok := obj.(*cm.Schedule); ok {
		if _, err := parseCron(s.Spec.Schedule); err != nil && checkCron {
			ps.addf("spec.schedule", "meshlab cannot evaluate %q: %s", s.Spec.Schedule, err)
		}
		kind, tmpl := ScheduleTemplate(s)
		if tmpl == nil {
			ps.addf("spec.type", "a Schedule of %s cannot be realized by meshlab; it realizes %s", kind, Realizable)
			return ps
		}
		obj, spec = tmpl, "spec."+strings.ToLower(kind[:1])+kind[1:]
	}
	f := faultOf(obj, 0)
	if known, ok := realizedActions[f.Kind]; ok && !slices.Contains(known, f.Action) {
		ps.addf(spec+".action", "%s action %q cannot be realized by meshlab; it realizes %s", f.Kind, f.Action, Realizable)
	}
	if pc, ok := obj.(*cm.PodChaos); ok && pc.Spec.Action == cm.ContainerKillAction {
		for _, c := range pc.Spec.ContainerNames {
			if !slices.Contains(containerNames, c) {
				ps.addf(spec+".containerNames", "%s", unknownName("container", c, containerNames))
			}
		}
	}
	ws := sc.Workloads()
	checkSelector(&ps, spec, &f.Selector, ws)
	if f.Target != nil {
		checkSelector(&ps, spec+".target", f.Target, ws)
	}
	return ps
}

// checkSelector requires the selector to match at least one workload of the topology.
func checkSelector(ps *problems, spec string, sel *cm.PodSelector, ws []Workload) {
	n := 0
	for _, w := range ws {
		ok, err := Matches(sel.Selector, w)
		if err != nil {
			ps.addf(spec+".selector", "%s", err)
			return
		}
		if ok {
			n++
		}
	}
	if n == 0 {
		names := make([]string, len(ws))
		for i, w := range ws {
			names[i] = w.Name
		}
		ps.addf(spec+".selector", "matches no workload of the topology (%s; labels app=<service>, version=v1)",
			strings.Join(names, ", "))
	}
	if !slices.Contains([]cm.SelectorMode{cm.OneMode, cm.AllMode, cm.FixedMode, cm.FixedPercentMode, cm.RandomMaxPercentMode}, sel.Mode) {
		ps.addf(spec+".mode", "must be one of one, all, fixed, fixed-percent, random-max-percent, got %q", sel.Mode)
	}
}

// validatePolicies checks the inline policy and every policy change.
func (sc *Scenario) validatePolicies() []Problem {
	var ps problems
	if sc.Policy != nil {
		policyProblems(&ps, "policy", sc.Policy)
	}
	load, loadOK := sc.Load.measuredDuration()
	for i := range sc.PolicyChanges {
		c := &sc.PolicyChanges[i]
		path := "policyChanges" + indexSegment(i)
		if at := c.At.Duration; at < 0 || loadOK && at >= load {
			ps.addf(path+".at", "must be in [0, load duration %s), got %s", load, at)
		}
		policyProblems(&ps, path+".policy", &c.Policy)
	}
	return ps
}

// policyProblems places mesh/policy's "path: message" errors under prefix.
func policyProblems(ps *problems, prefix string, p *policy.MeshPolicy) {
	for _, err := range p.Validate() {
		path, msg, ok := strings.Cut(err.Error(), ": ")
		if !ok {
			path, msg = "", err.Error()
		}
		ps.addf(joinPath(prefix, path), "%s", msg)
	}
}
