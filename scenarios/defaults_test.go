package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    Scenario
		check func(t *testing.T, s Scenario)
	}{
		{"empty scenario", Scenario{}, func(t *testing.T, s Scenario) {
			assert.Equal(t, "local", s.Backend)
			assert.Equal(t, uint64(1), s.Seed)
			assert.Equal(t, "default", s.Namespace)
			assert.Equal(t, 2*time.Second, s.Warmup.Duration)
			assert.Equal(t, DefaultReplicas, s.Topology.Replicas)
			assert.Nil(t, s.Topology.ServiceTime, "service times have no default")
			assert.Equal(t, time.Second, s.Topology.RestartDelay.Duration)
			assert.Equal(t, 5*time.Second, s.Topology.Timeout.Duration)
			require.NotNil(t, s.Topology.Retries)
			assert.Equal(t, 1, *s.Topology.Retries)
			require.NotNil(t, s.Topology.ProxyWorkers)
			assert.Equal(t, 1, *s.Topology.ProxyWorkers, "one worker per sidecar, as Linkerd")
			assert.Equal(t, "constant", s.Load.Profile)
			assert.Equal(t, DefaultMix, s.Load.Mix)
			assert.Equal(t, 10*time.Second, s.Load.Timeout.Duration)
			assert.Nil(t, s.SLO.Availability, "no SLO unless asked for")
		}},
		{"given values stay", Scenario{Backend: "sim", Seed: 7, Warmup: dur(time.Second),
			Topology: Topology{Replicas: map[string]int{"payment": 5}, Retries: intp(0), ProxyWorkers: intp(0), Timeout: dur(time.Second)},
			Load:     Load{Mix: []RouteWeight{{"POST /orders", 1}}, Timeout: dur(time.Second)}},
			func(t *testing.T, s Scenario) {
				assert.Equal(t, "sim", s.Backend)
				assert.Equal(t, uint64(7), s.Seed)
				assert.Equal(t, time.Second, s.Warmup.Duration)
				assert.Equal(t, map[string]int{"user": 2, "product": 2, "order": 2, "payment": 5}, s.Topology.Replicas)
				assert.Equal(t, 0, *s.Topology.Retries, "0 is not absent")
				assert.Equal(t, 0, *s.Topology.ProxyWorkers, "0 (one per core) is not absent")
				assert.Equal(t, time.Second, s.Topology.Timeout.Duration)
				assert.Equal(t, []RouteWeight{{"POST /orders", 1}}, s.Load.Mix)
				assert.Equal(t, time.Second, s.Load.Timeout.Duration)
			}},
		{"steps default to their sum", Scenario{Load: Load{Profile: "steps", Steps: []Step{{1, dur(time.Second)}, {2, dur(2 * time.Second)}}}},
			func(t *testing.T, s Scenario) { assert.Equal(t, 3*time.Second, s.Load.Duration.Duration) }},
		{"a given steps duration stays for Validate", Scenario{Load: Load{Profile: "steps", Duration: dur(time.Minute),
			Steps: []Step{{1, dur(time.Second)}}}},
			func(t *testing.T, s Scenario) { assert.Equal(t, time.Minute, s.Load.Duration.Duration) }},
		{"bad values stay for Validate", Scenario{Warmup: dur(-1), Topology: Topology{RestartDelay: dur(-1)}},
			func(t *testing.T, s Scenario) {
				assert.Equal(t, time.Duration(-1), s.Warmup.Duration)
				assert.Equal(t, time.Duration(-1), s.Topology.RestartDelay.Duration)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := tt.in.Clone()
			s.Default()
			tt.check(t, s)
			again := s.Clone()
			again.Default()
			assert.Equal(t, s, again, "Default is idempotent")
		})
	}
}

func TestDefaultSharesNothing(t *testing.T) {
	t.Parallel()
	var a, b Scenario
	a.Default()
	b.Default()
	a.Load.Mix[0].Weight = 1000
	a.Topology.Replicas["user"] = 9
	*a.Topology.Retries = 4
	assert.Equal(t, 30.0, DefaultMix[0].Weight)
	assert.Equal(t, 2, DefaultReplicas["user"])
	assert.Equal(t, DefaultMix, b.Load.Mix)
	assert.Equal(t, 1, *b.Topology.Retries)

	shared := map[string]int{"user": 1}
	c := Scenario{Topology: Topology{Replicas: shared}}
	c.Default()
	assert.Equal(t, map[string]int{"user": 1}, shared, "a caller's map is not filled in place")
}
