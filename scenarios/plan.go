package scenarios

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	cm "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
)

// Fault is one Chaos Mesh fault as the harness injects it: everything a backend needs to know
// about it, read once off the typed object.
type Fault struct {
	Name   string // metadata.name; a Schedule's firings are "<schedule>-<n>" (n from 1)
	Kind   string // PodChaos, NetworkChaos, HTTPChaos, StressChaos
	Action string // spec.action; for HTTPChaos the first of abort, delay, replace, patch set
	// At is the offset from the start of the attack.
	At time.Duration
	// Duration is spec.duration; 0: until the run ends (and always for one-shot actions).
	Duration time.Duration
	// OneShot marks the actions Chaos Mesh applies once, ignoring duration and pause:
	// PodChaos pod-kill and container-kill. There is nothing to remove.
	OneShot bool
	// Selector picks the pods the fault acts on; Target, for a NetworkChaos that has one,
	// the pods at the other end (spec.target).
	Selector cm.PodSelector
	Target   *cm.PodSelector
	Object   any             // *v1alpha1.PodChaos, *v1alpha1.NetworkChaos, *v1alpha1.HTTPChaos, *v1alpha1.StressChaos
	Raw      json.RawMessage // the scenario's object, verbatim (for a Schedule, the Schedule)
	Line     int             // line of the fault in the catalogue; 0 when unknown
}

// FaultFiring is one concrete firing of a scenario fault: the fault itself, or one firing of
// a Schedule.
type FaultFiring struct {
	Fault
	Schedule string // the Schedule's name; empty for a plain fault
	Index    int    // the fault's index in Scenario.Faults
}

// FaultPlan is a scenario's faults as they fire on the run clock.
type FaultPlan []FaultFiring

// Names are the names gates may use for the plan's faults: every firing's name, and the name
// of each Schedule, sorted.
func (p FaultPlan) Names() []string {
	var names []string
	for _, f := range p {
		names = append(names, f.Name)
		if f.Schedule != "" {
			names = append(names, f.Schedule)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// FaultPlan expands the scenario's faults (and Schedules, on the run clock) into the firings
// within runDuration, in order of scenario index, then time.
func (s *Scenario) FaultPlan(runDuration time.Duration) (FaultPlan, error) {
	var out FaultPlan
	for i, fs := range s.Faults {
		obj, ps := DecodeChaos(fs.Object, s.namespace())
		if len(ps) > 0 {
			return nil, fmt.Errorf("faults[%d]: %w", i, &ValidationError{Problems: ps})
		}
		if sch, ok := obj.(*cm.Schedule); ok {
			out = append(out, scheduleFirings(sch, i, fs, runDuration)...)
			continue
		}
		f := faultOf(obj, fs.At.Duration)
		f.Raw = fs.Object
		out = append(out, FaultFiring{Fault: f, Index: i})
	}
	return out, nil
}

func (s *Scenario) namespace() string {
	if s.Namespace == "" {
		return "default"
	}
	return s.Namespace
}

// scheduleFirings are a Schedule's children, created at fs.At on the run clock.
func scheduleFirings(sch *cm.Schedule, i int, fs FaultSpec, runDuration time.Duration) []FaultFiring {
	_, tmpl := ScheduleTemplate(sch)
	child := faultOf(tmpl, 0)
	var out []FaultFiring
	at := fs.At.Duration
	for n, off := range firingsFrom(sch, at, runDuration) {
		_, obj := ScheduleTemplate(sch)
		name := sch.Name + "-" + strconv.Itoa(n+1)
		obj.(interface{ SetName(string) }).SetName(name)
		f := child
		f.Name, f.At, f.Object, f.Raw = name, off, obj, fs.Object
		out = append(out, FaultFiring{Fault: f, Schedule: sch.Name, Index: i})
	}
	return out
}

// Firings are the offsets from the run start at which a Schedule created at the run start
// fires within runDuration, honouring its concurrencyPolicy: Forbid (the default) skips a
// firing while the previous child lasts, and a child without duration lasts for ever.
func Firings(sch *cm.Schedule, runDuration time.Duration) []time.Duration {
	return firingsFrom(sch, 0, runDuration)
}

func firingsFrom(sch *cm.Schedule, created, runDuration time.Duration) []time.Duration {
	spec, err := parseCron(sch.Spec.Schedule)
	if err != nil {
		return nil
	}
	_, tmpl := ScheduleTemplate(sch)
	if tmpl == nil {
		return nil
	}
	child := faultOf(tmpl, 0)
	forever := child.Duration == 0 && !child.OneShot
	var out []time.Duration
	busyUntil := time.Duration(-1)
	for t, ok := spec.next(RunEpoch.Add(created)); ok && t.Sub(RunEpoch) < runDuration; t, ok = spec.next(t) {
		off := t.Sub(RunEpoch)
		if sch.Spec.ConcurrencyPolicy.IsForbid() && len(out) > 0 && (forever || off < busyUntil) {
			continue
		}
		out = append(out, off)
		busyUntil = off + child.Duration
		if forever && sch.Spec.ConcurrencyPolicy.IsForbid() {
			break
		}
	}
	return out
}

// FaultOf is the fault a decoded Chaos Mesh object (DecodeChaos) describes, at offset 0.
func FaultOf(obj any) Fault { return faultOf(obj, 0) }

// faultOf reads name, kind, action, selectors and duration off a typed object: the one place
// that knows the four kinds' shapes.
func faultOf(obj any, at time.Duration) Fault {
	f := Fault{At: at, Object: obj}
	var dur *string
	switch o := obj.(type) {
	case *cm.PodChaos:
		f.Name, f.Kind, f.Action, dur, f.Selector = o.Name, "PodChaos", string(o.Spec.Action), o.Spec.Duration, o.Spec.PodSelector
		f.OneShot = o.Spec.Action == cm.PodKillAction || o.Spec.Action == cm.ContainerKillAction
	case *cm.NetworkChaos:
		f.Name, f.Kind, f.Action, dur, f.Selector = o.Name, "NetworkChaos", string(o.Spec.Action), o.Spec.Duration, o.Spec.PodSelector
		f.Target = o.Spec.Target
	case *cm.HTTPChaos:
		f.Name, f.Kind, f.Action, dur, f.Selector = o.Name, "HTTPChaos", httpAction(&o.Spec), o.Spec.Duration, o.Spec.PodSelector
	case *cm.StressChaos:
		f.Name, f.Kind, f.Action, dur, f.Selector = o.Name, "StressChaos", stressAction(&o.Spec), o.Spec.Duration, o.Spec.PodSelector
	}
	if dur != nil && !f.OneShot {
		f.Duration, _ = time.ParseDuration(*dur)
	}
	return f
}

func httpAction(s *cm.HTTPChaosSpec) string {
	switch {
	case s.Abort != nil && *s.Abort:
		return "abort"
	case s.Delay != nil:
		return "delay"
	case s.Replace != nil:
		return "replace"
	case s.Patch != nil:
		return "patch"
	}
	return ""
}

func stressAction(s *cm.StressChaosSpec) string {
	switch {
	case s.Stressors != nil && s.Stressors.CPUStressor != nil && s.Stressors.MemoryStressor != nil:
		return "cpu+memory"
	case s.Stressors != nil && s.Stressors.CPUStressor != nil:
		return "cpu"
	case s.Stressors != nil && s.Stressors.MemoryStressor != nil:
		return "memory"
	}
	return "stressng"
}
