package scenarios

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func dur(d time.Duration) Duration { return Duration{Duration: d} }

func intp(n int) *int { return &n }

// validScenario is a scenario that passes Validate, for tests to break one thing at a time.
func validScenario() Scenario {
	return Scenario{
		Name: "valid",
		Topology: Topology{
			Replicas: map[string]int{"payment": 3},
			ServiceTime: map[string]ServiceTime{
				"user":    {Distribution: "fixed", Value: dur(time.Millisecond)},
				"payment": {Distribution: "lognormal", Median: dur(5 * time.Millisecond), Sigma: 0.6},
			},
		},
		Load: Load{Rate: 100, Duration: dur(10 * time.Second)},
		SLO: SLO{
			Availability: &AvailabilitySLO{Objective: Percent{99.9}},
			Latency:      &LatencySLO{Threshold: dur(250 * time.Millisecond), Objective: Percent{99}},
		},
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(s *Scenario)
		want   []string // "path: message", in order
	}{
		{"valid as is", func(*Scenario) {}, nil},
		{"ramp down to a positive rate", func(s *Scenario) { s.Load = Load{Profile: "ramp", Rate: 100, To: 1, Duration: dur(time.Minute)} }, nil},
		{"limits are inclusive", func(s *Scenario) {
			s.Topology.Replicas = map[string]int{"user": 1, "order": 16}
			s.Topology.RestartDelay = dur(time.Minute)
			s.Topology.Retries = intp(10)
			s.Topology.ServiceTime["payment"] = ServiceTime{Distribution: "lognormal", Median: dur(time.Millisecond), Sigma: 3}
			s.Load.Rate = 100000
		}, nil},
		{"retries off", func(s *Scenario) { s.Topology.Retries = intp(0) }, nil},
		{"a worker per core", func(s *Scenario) { s.Topology.ProxyWorkers = intp(0) }, nil},
		{"name missing", func(s *Scenario) { s.Name = "" }, []string{"name: required"}},
		{"name not a DNS label", func(s *Scenario) { s.Name = "Base_line" }, []string{
			`name: must be a DNS label (lowercase letters, digits and '-', at most 63 characters, starting and ending with a letter or digit), got "Base_line"`}},
		{"name too long", func(s *Scenario) { s.Name = strings.Repeat("a", 64) }, []string{"name: must be a DNS label"}},
		{"name ends with a dash", func(s *Scenario) { s.Name = "a-" }, []string{"name: must be a DNS label"}},
		{"backend", func(s *Scenario) { s.Backend = "kube" }, []string{`backend: backend "kube" is not available here; this build has local`}},
		{"backend typo", func(s *Scenario) { s.Backend = "lcoal" }, []string{`backend: backend "lcoal" is not available here (did you mean "local"?); this build has local`}},
		{"namespace", func(s *Scenario) { s.Namespace = "My NS" }, []string{`namespace: must be a DNS label (lowercase letters, digits and '-'), got "My NS"`}},
		{"negative warmup", func(s *Scenario) { s.Warmup = dur(-time.Second) }, []string{"warmup: must be ≥ 0, got -1s"}},
		{"warmup leaves no measured time", func(s *Scenario) { s.Warmup = dur(10 * time.Second) }, []string{
			"warmup: must be shorter than load.duration (10s), got 10s: no time would be measured"}},
		{"default warmup leaves no measured time", func(s *Scenario) { s.Load.Duration = dur(time.Second) }, []string{
			"warmup: must be shorter than load.duration (1s), got 2s (the default): no time would be measured"}},
		{"replicas", func(s *Scenario) { s.Topology.Replicas = map[string]int{"user": 0, "order": 17, "paymnet": 1} }, []string{
			"topology.replicas.order: must be between 1 and 16, got 17",
			`topology.replicas.paymnet: unknown service "paymnet" (did you mean "payment"?)`,
			"topology.replicas.user: must be between 1 and 16, got 0"}},
		{"fixed service time", func(s *Scenario) {
			s.Topology.ServiceTime["user"] = ServiceTime{Distribution: "fixed", Median: dur(time.Millisecond)}
		}, []string{"topology.serviceTime.user.value: required: must be > 0",
			"topology.serviceTime.user.median: only used by the lognormal distribution"}},
		{"lognormal service time", func(s *Scenario) {
			s.Topology.ServiceTime["payment"] = ServiceTime{Distribution: "lognormal", Value: dur(1), Median: dur(-1), Sigma: 3.5}
		}, []string{"topology.serviceTime.payment.median: must be > 0, got -1ns",
			"topology.serviceTime.payment.sigma: must be in (0, 3], got 3.5",
			"topology.serviceTime.payment.value: only used by the fixed distribution"}},
		{"sigma zero", func(s *Scenario) {
			s.Topology.ServiceTime["payment"] = ServiceTime{Distribution: "lognormal", Median: dur(1)}
		}, []string{"topology.serviceTime.payment.sigma: must be in (0, 3], got 0"}},
		{"service time distribution", func(s *Scenario) {
			s.Topology.ServiceTime = map[string]ServiceTime{"user": {Distribution: "lognormel"}, "cart": {Distribution: "fixed"}}
		}, []string{`topology.serviceTime.cart: unknown service "cart"; want one of user, product, order, payment`,
			`topology.serviceTime.user.distribution: unknown distribution "lognormel" (did you mean "lognormal"?)`}},
		{"restart delay", func(s *Scenario) { s.Topology.RestartDelay = dur(61 * time.Second) }, []string{
			"topology.restartDelay: must be at most 1m0s, got 1m1s"}},
		{"negative restart delay and timeout", func(s *Scenario) {
			s.Topology.RestartDelay, s.Topology.Timeout = dur(-1), dur(-time.Second)
		}, []string{"topology.restartDelay: must be ≥ 0, got -1ns", "topology.timeout: must be > 0, got -1s"}},
		{"retries", func(s *Scenario) { s.Topology.Retries = intp(-1) }, []string{"topology.retries: must be between 0 and 10, got -1"}},
		{"proxy workers", func(s *Scenario) { s.Topology.ProxyWorkers = intp(65) },
			[]string{"topology.proxyWorkers: must be between 0 (one per core) and 64, got 65"}},
		{"constant load", func(s *Scenario) { s.Load = Load{Rate: -5, To: 1, Steps: []Step{{1, dur(1)}}} }, []string{
			"load.rate: must be > 0, got -5", "load.duration: required: must be > 0",
			"load.to: only used by the ramp profile", "load.steps: only used by the steps profile"}},
		{"rate above the limit", func(s *Scenario) { s.Load.Rate = 150000 }, []string{
			"load.rate: must be at most 100000 requests per second, got 150000"}},
		{"ramp", func(s *Scenario) { s.Load = Load{Profile: "ramp", Rate: -1, Duration: dur(time.Minute)} }, []string{
			"load.rate: must be ≥ 0, got -1", "load.to: required: must be > 0 (requests per second)"}},
		{"ramp above the limit", func(s *Scenario) { s.Load = Load{Profile: "ramp", To: 1e6, Duration: dur(time.Minute)} }, []string{
			"load.to: must be at most 100000 requests per second, got 1000000"}},
		{"steps", func(s *Scenario) {
			s.Load = Load{Profile: "steps", Rate: 5, Steps: []Step{{0, dur(time.Second)}, {10, dur(0)}, {2e5, dur(time.Second)}}}
		}, []string{"load.rate: only used by the constant and ramp profiles (give each step its rate)",
			"load.steps[0].rate: required: must be > 0 (requests per second)",
			"load.steps[1].duration: required: must be > 0",
			"load.steps[2].rate: must be at most 100000 requests per second, got 200000"}},
		{"no steps", func(s *Scenario) { s.Load = Load{Profile: "steps"} }, []string{"load.steps: required: at least one step for the steps profile"}},
		{"steps not summing", func(s *Scenario) {
			s.Load = Load{Profile: "steps", Duration: dur(25 * time.Second), Steps: []Step{{1, dur(10 * time.Second)}, {2, dur(10 * time.Second)}}}
		}, []string{"load.duration: must equal the sum of the steps (20s), got 25s; leave it out to default to the sum"}},
		{"profile", func(s *Scenario) { s.Load.Profile = "step" }, []string{`load.profile: unknown profile "step" (did you mean "steps"?)`}},
		{"client timeout", func(s *Scenario) { s.Load.Timeout = dur(-1) }, []string{"load.timeout: must be > 0, got -1ns"}},
		{"mix", func(s *Scenario) {
			s.Load.Mix = []RouteWeight{{"GET /users/{id}", 1}, {"", 1}, {"GET /users/{id}", -2}, {"get /products", 1}}
		}, []string{"load.mix[1].route: required: one of GET /users/{id}, GET /products/{id}, GET /products, POST /orders, POST /payments",
			`load.mix[2].route: duplicate route "GET /users/{id}", first at mix[0]`,
			"load.mix[2].weight: must be > 0, got -2",
			`load.mix[3].route: unknown route "get /products" (did you mean "GET /products"?)`}},
		{"objectives", func(s *Scenario) {
			s.SLO.Availability.Objective = Percent{100}
			s.SLO.Latency.Objective = Percent{}
		}, []string{"slo.availability.objective: must be between 0% and 100% (exclusive), got 100%",
			"slo.latency.objective: required: a percentage between 0% and 100% (exclusive), like 99.9%"}},
		{"negative objective", func(s *Scenario) { s.SLO.Availability.Objective = Percent{-1} }, []string{
			"slo.availability.objective: must be between 0% and 100% (exclusive), got -1%"}},
		{"latency threshold", func(s *Scenario) { s.SLO.Latency.Threshold = Duration{} }, []string{"slo.latency.threshold: required: must be > 0"}},
		{"latency threshold beyond the client timeout", func(s *Scenario) { s.SLO.Latency.Threshold = dur(10 * time.Second) }, []string{
			"slo.latency.threshold: must be shorter than load.timeout (10s), got 10s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := validScenario()
			tt.change(&s)
			before := s.Clone()
			got := s.Validate(testBackends)
			assert.Equal(t, before, s, "Validate changes nothing")
			assert.Len(t, got, len(tt.want), "%v", got)
			for i := range min(len(got), len(tt.want)) {
				assert.True(t, strings.HasPrefix(got[i].String(), tt.want[i]), "problem %d\n got: %s\nwant: %s", i, got[i], tt.want[i])
				assert.Zero(t, got[i].Line, "lines are for LoadFile to fill")
			}
		})
	}
}

func TestValidateNaN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(s *Scenario)
		want   string
	}{
		{"rate", func(s *Scenario) { s.Load.Rate = math.NaN() }, "load.rate: must be > 0, got NaN"},
		{"weight", func(s *Scenario) { s.Load.Mix = []RouteWeight{{"POST /orders", math.NaN()}} }, "load.mix[0].weight: must be > 0, got NaN"},
		{"sigma", func(s *Scenario) {
			s.Topology.ServiceTime["payment"] = ServiceTime{Distribution: "lognormal", Median: dur(1), Sigma: math.NaN()}
		}, "topology.serviceTime.payment.sigma: must be in (0, 3], got NaN"},
		{"objective", func(s *Scenario) { s.SLO.Availability.Objective = Percent{math.Inf(1)} },
			"slo.availability.objective: must be between 0% and 100% (exclusive), got +Inf%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := validScenario()
			tt.change(&s)
			got := s.Validate(testBackends)
			if assert.Len(t, got, 1) {
				assert.Equal(t, tt.want, got[0].String())
			}
		})
	}
}

func TestTopologyVersions(t *testing.T) {
	t.Parallel()
	top := Topology{Replicas: map[string]int{"payment": 3}, Versions: map[string]map[string]int{"payment": {"v2": 1, "v3": 1}}}
	got := []string{top.VersionOf("payment", 0), top.VersionOf("payment", 1), top.VersionOf("payment", 2), top.VersionOf("user", 0)}
	assert.Equal(t, []string{"v1", "v2", "v3", "v1"}, got)

	var ps problems
	Topology{Versions: map[string]map[string]int{"payment": {"v2": 4}, "nope": {"v2": 1}, "user": {"bad label!": 1}}}.validateVersions(&ps)
	var msgs []string
	for _, p := range ps {
		msgs = append(msgs, p.Path+": "+p.Message)
	}
	assert.Len(t, msgs, 3, "%q", msgs)
	assert.Contains(t, strings.Join(msgs, "\n"), "names 4 replicas, but payment has 3")
}

// testBackends are the backends the tests' catalogues may name.
var testBackends = []string{"local"}

// TestBackendIsOneTheCallerOffers: a scenario's backend is checked against the backends the
// program has, not a list of names that may not exist.
func TestBackendIsOneTheCallerOffers(t *testing.T) {
	t.Parallel()
	doc := []byte("apiVersion: meshlab.dev/v1alpha1\nkind: ScenarioCatalog\nscenarios:\n" +
		"  - name: a\n    backend: kind\n    load: {rate: 10, duration: 5s}\n")
	_, err := Parse("s.yaml", doc, []string{"local"})
	require.Error(t, err)
	assert.Equal(t, "s.yaml:5: scenarios[0].backend: backend \"kind\" is not available here; this build has local", err.Error())
	cat, err := Parse("s.yaml", doc, []string{"kind", "local"})
	require.NoError(t, err)
	assert.Equal(t, "kind", cat.Scenarios[0].Backend)
	sc := cat.Scenarios[0]
	sc.Backend = "sim"
	assert.Equal(t, []Problem{{Path: "backend", Message: `backend "sim" is not available here; this build has kind, local`}},
		sc.Validate([]string{"kind", "local"}))
}
