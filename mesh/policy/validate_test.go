package policy

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func d(s string) Duration {
	v, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return Duration{v}
}

func validPolicy() MeshPolicy {
	return MeshPolicy{APIVersion: APIVersion, Kind: Kind, Spec: Spec{
		Services: map[string]ServicePolicy{"payment": {
			RoutePolicy: RoutePolicy{Timeout: d("2s"), Retries: &RetryPolicy{Attempts: 3, PerTryTimeout: d("500ms"),
				RetryOn: []string{"5xx", "reset", "503"}, Budget: &RetryBudget{Percent: 20, MinRetriesPerSecond: 10}}},
			Routes: map[string]RoutePolicy{"POST /payments": {Retries: &RetryPolicy{Attempts: 1}},
				"/payments/{id}": {Faults: []Fault{{Abort: &FaultAbort{Percent: 30, HTTPStatus: 503}}}}},
			Subsets:      []Subset{{Name: "v1", Labels: map[string]string{"version": "v1"}}, {Name: "v2"}},
			LoadBalancer: &LoadBalancer{Simple: LeastRequest},
		}},
		Gateway: GatewayPolicy{RateLimits: []RateLimit{{Route: "*", RequestsPerSecond: 100}}},
		Security: SecurityPolicy{MTLS: &MTLS{Mode: MTLSStrict, CertTTL: d("10s")},
			Authorization: &Authorization{Default: Deny, Rules: []AuthRule{{Action: Allow, To: "payment", Methods: []string{"POST"}}}}},
	}}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	svc := func(f func(*ServicePolicy)) func(*MeshPolicy) {
		return func(p *MeshPolicy) {
			sp := p.Spec.Services["payment"]
			f(&sp)
			p.Spec.Services["payment"] = sp
		}
	}
	tests := []struct {
		name   string
		change func(*MeshPolicy)
		want   []string // substrings, one per expected problem, in order
	}{
		{"valid", func(*MeshPolicy) {}, nil},
		{"zero value", func(p *MeshPolicy) { *p = MeshPolicy{} }, nil},
		{"apiVersion and kind", func(p *MeshPolicy) { p.APIVersion, p.Kind = "v9", "Other" },
			[]string{`apiVersion: must be "meshlab.dev/v1alpha1", got "v9"`, `kind: must be "MeshPolicy"`}},
		{"attempts", svc(func(sp *ServicePolicy) { sp.Retries.Attempts = -1 }),
			[]string{"spec.services.payment.retries.attempts: must be 0..10, got -1"}},
		{"attempts in a route", svc(func(sp *ServicePolicy) { sp.Routes["POST /payments"].Retries.Attempts = 11 }),
			[]string{`spec.services.payment.routes["POST /payments"].retries.attempts: must be 0..10, got 11`}},
		{"budget percent", svc(func(sp *ServicePolicy) { sp.Retries.Budget.Percent = 0 }),
			[]string{"retries.budget.percent: must be above 0"}},
		{"retryOn", svc(func(sp *ServicePolicy) { sp.Retries.RetryOn = []string{"5xx", "sometimes", "999"} }),
			[]string{"retries.retryOn[1]", "retries.retryOn[2]"}},
		{"negative durations", svc(func(sp *ServicePolicy) { sp.Timeout, sp.Retries.PerTryTimeout = d("-1s"), d("-1ms") }),
			[]string{"payment.timeout: must not be negative", "retries.perTryTimeout: must not be negative"}},
		{"fault percents and status", svc(func(sp *ServicePolicy) {
			sp.Faults = []Fault{{Delay: &FaultDelay{Percent: 101, FixedDelay: d("1s")}, Abort: &FaultAbort{Percent: -1, HTTPStatus: 199}}, {}}
		}), []string{"faults[0].delay.percent: must be 0..100, got 101", "faults[0].abort.percent", "faults[0].abort.httpStatus: must be 200..599, got 199", "faults[1]: needs a delay or an abort"}},
		{"split", svc(func(sp *ServicePolicy) {
			sp.Split = &Split{Match: []HeaderRoute{{Headers: map[string]string{"x": "y"}, Subset: "v3"}},
				Weights: []WeightedSubset{{Subset: "v1", Weight: 90}, {Subset: "v9", Weight: 5}}}
		}), []string{`split.match[0].subset: names no subset of the service: "v3"`, `split.weights[1].subset`, "split.weights: must sum to 100, got 95"}},
		{"load balancer", svc(func(sp *ServicePolicy) { sp.LoadBalancer.Simple = "FASTEST" }),
			[]string{`loadBalancer.simple: must be one of ROUND_ROBIN, LEAST_REQUEST, RANDOM, got "FASTEST"`}},
		{"route keys", svc(func(sp *ServicePolicy) {
			sp.Routes = map[string]RoutePolicy{"FETCH /a": {}, "GET payments": {}, "GET /a/{id": {}, "/ok/{id}": {}}
		}), []string{`routes["FETCH /a"]`, `routes["GET /a/{id"]`, `routes["GET payments"]`}},
		{"outlier and pool", svc(func(sp *ServicePolicy) {
			sp.OutlierDetection = &OutlierDetection{Consecutive5xxErrors: -1, MaxEjectionPercent: 150}
			sp.ConnectionPool = &ConnectionPool{MaxRequests: -2}
		}), []string{"connectionPool.maxRequests", "outlierDetection.consecutive5xxErrors", "outlierDetection.maxEjectionPercent: must be 0..100"}},
		{"mtls mode", func(p *MeshPolicy) { p.Spec.Security.MTLS.Mode = "PERMISSIVE" },
			[]string{`spec.security.mtls.mode: must be STRICT or DISABLE, got "PERMISSIVE"`}},
		{"authz actions", func(p *MeshPolicy) {
			p.Spec.Security.Authorization.Default = "MAYBE"
			p.Spec.Security.Authorization.Rules[0].Action = "allow"
		}, []string{"authorization.default", "authorization.rules[0].action"}},
		{"gateway", func(p *MeshPolicy) {
			p.Spec.Gateway = GatewayPolicy{RateLimits: []RateLimit{{Route: "GET x", RequestsPerSecond: 0}},
				APIKeys: &APIKeys{Required: true}, MaxRequestBytes: -1}
		}, []string{"rateLimits[0].route", "rateLimits[0].requestsPerSecond", "apiKeys.keys", "maxRequestBytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := validPolicy()
			tt.change(&p)
			errs := p.Validate()
			if !assert.Len(t, errs, len(tt.want), "%v", errs) {
				return
			}
			for i, w := range tt.want {
				assert.Contains(t, errs[i].Error(), w)
			}
		})
	}
}

func TestValidateJSONRoundTrip(t *testing.T) {
	t.Parallel()
	p := validPolicy()
	b, err := json.Marshal(p)
	assert.NoError(t, err)
	var back MeshPolicy
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	assert.NoError(t, dec.Decode(&back))
	assert.Empty(t, back.Validate())
	assert.Equal(t, p.Spec.Services["payment"].Timeout, back.Spec.Services["payment"].Timeout)
}
