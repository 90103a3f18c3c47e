package scenarios

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	cm "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
)

// Fault is one Chaos Mesh fault as the harness injects it.
type Fault struct {
	Name   string // metadata.name; a Schedule's firings are "<schedule>-<n>" (n from 1)
	Kind   string // PodChaos, NetworkChaos, HTTPChaos, StressChaos
	Action string // spec.action; for HTTPChaos the first of abort, delay, replace, patch set
	// At is the offset from the start of the attack.
	At time.Duration
	// Duration is spec.duration; 0: until the run ends (and always for one-shot actions:
	// pod-kill, container-kill).
	Duration time.Duration
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

// FaultPlan expands the scenario's faults (and Schedules, on the run clock) into the firings
// within runDuration, in order of scenario index, then time.
func (s *Scenario) FaultPlan(runDuration time.Duration) ([]FaultFiring, error) {
	var out []FaultFiring
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
	forever := child.Duration == 0 && !oneShot(child)
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

// oneShot reports the actions Chaos Mesh applies once, ignoring duration.
func oneShot(f Fault) bool {
	return f.Kind == "PodChaos" && (f.Action == "pod-kill" || f.Action == "container-kill")
}

// faultOf reads name, kind, action and duration off a typed object.
func faultOf(obj any, at time.Duration) Fault {
	f := Fault{At: at, Object: obj}
	var dur *string
	switch o := obj.(type) {
	case *cm.PodChaos:
		f.Name, f.Kind, f.Action, dur = o.Name, "PodChaos", string(o.Spec.Action), o.Spec.Duration
	case *cm.NetworkChaos:
		f.Name, f.Kind, f.Action, dur = o.Name, "NetworkChaos", string(o.Spec.Action), o.Spec.Duration
	case *cm.HTTPChaos:
		f.Name, f.Kind, f.Action, dur = o.Name, "HTTPChaos", httpAction(&o.Spec), o.Spec.Duration
	case *cm.StressChaos:
		f.Name, f.Kind, f.Action, dur = o.Name, "StressChaos", stressAction(&o.Spec), o.Spec.Duration
	}
	if dur != nil && !oneShot(f) {
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
