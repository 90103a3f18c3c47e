package scenarios

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fullScenario sets every field, so that copies and round trips are checked on all of them.
func fullScenario() Scenario {
	s := validScenario()
	s.Description = "every field"
	s.Backend, s.Seed, s.Namespace, s.Warmup = "local", 99, "shop", dur(1500*time.Millisecond)
	s.Topology.RestartDelay, s.Topology.Timeout, s.Topology.Retries = dur(time.Second), dur(3*time.Second), intp(0)
	s.Topology.ProxyWorkers = intp(2)
	s.Topology.Versions = map[string]map[string]int{"payment": {"v2": 1}}
	s.Load = Load{Profile: "steps", Duration: dur(3 * time.Second), Steps: []Step{{1.5, dur(time.Second)}, {2, dur(2 * time.Second)}},
		Mix: []RouteWeight{{"POST /orders", 0.1}}, Timeout: dur(time.Second)}
	s.SLO.Availability.Objective = Percent{99.999}
	s.Policy = &policy.MeshPolicy{Spec: policy.Spec{Services: map[string]policy.ServicePolicy{
		"payment": {RoutePolicy: policy.RoutePolicy{Retries: &policy.RetryPolicy{Attempts: 2}}}}}}
	s.PolicyChanges = []PolicyChange{{At: dur(time.Second), Policy: *s.Policy}}
	s.Faults = []FaultSpec{{At: dur(time.Second), Object: json.RawMessage(`{"apiVersion":"chaos-mesh.org/v1alpha1",` +
		`"kind":"PodChaos","metadata":{"name":"kill"},"spec":{"action":"pod-kill","mode":"one","selector":{"labelSelectors":{"app":"payment"}}}}`)}}
	return s
}

func TestCloneIsDeep(t *testing.T) {
	t.Parallel()
	s := fullScenario()
	c := s.Clone()
	require.Equal(t, s, c)
	c.Topology.Replicas["payment"] = 1
	c.Topology.ServiceTime["user"] = ServiceTime{}
	c.Topology.Versions["payment"]["v2"] = 2
	*c.Topology.Retries = 5
	*c.Topology.ProxyWorkers = 3
	c.Load.Steps[0].Rate = 9
	c.Load.Mix[0].Weight = 9
	c.SLO.Availability.Objective = Percent{1}
	c.SLO.Latency.Threshold = dur(1)
	c.Policy.Spec.Services["payment"].Retries.Attempts = 9
	c.PolicyChanges[0].Policy.Spec.Services["payment"].Retries.Attempts = 9
	c.Faults[0].Object[0] = 'x'
	assert.Equal(t, fullScenario(), s, "changing the clone left the original as it was")
}

// TestCloneKnowsEveryReference fails when a field that shares memory on assignment (map,
// slice, pointer) is added to Scenario: Clone must then copy it too.
func TestCloneKnowsEveryReference(t *testing.T) {
	t.Parallel()
	var refs []string
	var walk func(t reflect.Type, path string)
	walk = func(t reflect.Type, path string) {
		for i := range t.NumField() {
			f := t.Field(i)
			switch f.Type.Kind() {
			case reflect.Map, reflect.Slice, reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Func:
				refs = append(refs, path+f.Name)
			case reflect.Struct:
				walk(f.Type, path+f.Name+".")
			}
		}
	}
	walk(reflect.TypeFor[Scenario](), "")
	assert.Equal(t, []string{"Topology.Replicas", "Topology.Versions", "Topology.ServiceTime", "Topology.Retries", "Topology.ProxyWorkers",
		"Load.Steps", "Load.Mix", "SLO.Availability", "SLO.Latency", "Policy", "PolicyChanges", "Faults", "Gates"}, refs)
}

func TestScenarioJSONRoundTrip(t *testing.T) {
	t.Parallel()
	shipped, err := LoadFile("../scenarios.yaml", testBackends)
	require.NoError(t, err)
	full, err := LoadFile("testdata/valid-full.yaml", testBackends)
	require.NoError(t, err)
	code := fullScenario()
	code.Default()
	tests := []struct {
		name string
		s    Scenario
	}{
		{"built in code, defaulted", code},
		{"minimal, defaulted", func() Scenario {
			s := Scenario{Name: "m", Load: Load{Rate: 1, Duration: dur(5 * time.Second)}}
			s.Default()
			return s
		}()},
	}
	for _, s := range append(shipped.Scenarios, full.Scenarios...) {
		tests = append(tests, struct {
			name string
			s    Scenario
		}{"loaded " + s.Name, s})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw, err := json.Marshal(tt.s)
			require.NoError(t, err)
			var back Scenario
			require.NoError(t, json.Unmarshal(raw, &back))
			assert.Equal(t, tt.s, back)
			assert.Empty(t, back.Validate(testBackends), "a scenario read back from a report can be run again")
		})
	}
}
