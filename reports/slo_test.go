package reports

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/scenarios"
)

func TestBudget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		objective  float64
		valid, bad int
		allowed    float64
		spent      *float64 // nil: null
		remaining  float64
	}{
		{"exactly the allowed bad events", 99.9, 1000, 1, 1, ptr(100), 0},
		{"exactly allowed, 99.99 of 20000", 99.99, 20000, 2, 2, ptr(100), 0},
		{"exactly allowed, 99 of 300", 99, 300, 3, 3, ptr(100), 0},
		{"zero bad", 99.9, 1000, 0, 1, ptr(0), 1},
		{"half spent", 99, 1000, 5, 10, ptr(50), 5},
		{"overspent", 99.9, 1000, 3, 1, ptr(300), -2},
		{"fractional allowance", 99.9, 500, 1, 0.5, ptr(200), -0.5},
		{"100% objective, none bad", 100, 1000, 0, 0, ptr(0), 0},
		{"100% objective, one bad", 100, 1000, 1, 0, nil, -1},
		{"no valid events", 99.9, 0, 0, 0, ptr(0), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := budgetOf(tt.objective, tt.valid, tt.bad)
			assert.Equal(t, tt.allowed, b.Allowed)
			assert.Equal(t, tt.bad, b.Spent)
			assert.Equal(t, tt.spent, b.SpentPercent)
			assert.Equal(t, tt.remaining, b.Remaining)
		})
	}
}

func ptr(f float64) *float64 { return &f }

func TestIsBad(t *testing.T) {
	t.Parallel()
	for code, bad := range map[uint16]bool{
		0: true, 200: false, 201: false, 302: false, 400: false, 404: false, 409: false,
		429: true, 499: false, 500: true, 502: true, 503: true, 504: true,
	} {
		assert.Equal(t, bad, IsBad(code), "code %d", code)
	}
}

// sloRun tallies results of codes and latencies (ms) against slo.
func sloRun(slo scenarios.SLO, rs ...vegeta.Result) SLOReport {
	t := sloTally{}
	if slo.Latency != nil {
		t.threshold = slo.Latency.Threshold.Duration
	}
	for i := range rs {
		t.add(&rs[i])
	}
	return judge(slo, t)
}

// repeat is n copies of r.
func repeat(n int, r vegeta.Result) []vegeta.Result {
	out := make([]vegeta.Result, n)
	for i := range out {
		out[i] = r
	}
	return out
}

func availability(obj float64) scenarios.SLO {
	return scenarios.SLO{Availability: &scenarios.AvailabilitySLO{Objective: scenarios.Percent{Value: obj}}}
}

func latencySLO(threshold time.Duration, obj float64) scenarios.SLO {
	return scenarios.SLO{Latency: &scenarios.LatencySLO{
		Threshold: scenarios.Duration{Duration: threshold}, Objective: scenarios.Percent{Value: obj},
	}}
}

func TestAvailability(t *testing.T) {
	t.Parallel()
	ok := sample("GET /users/{id}", 0, 200, ms(5))
	// 990 good (970 × 200, 20 × 404), 10 bad: 4 × 429, 3 × no response, 2 × 503, 1 × 500.
	rs := append(repeat(970, ok), repeat(20, sample("GET /users/{id}", 0, 404, ms(1)))...)
	rs = append(rs, repeat(4, sample("GET /users/{id}", 0, 429, ms(1)))...)
	rs = append(rs, repeat(3, sample("GET /users/{id}", 0, 0, ms(10_000)))...)
	rs = append(rs, sample("GET /users/{id}", 0, 503, ms(1)), sample("GET /users/{id}", 0, 503, ms(1)),
		sample("GET /users/{id}", 0, 500, ms(1)))
	require.Len(t, rs, 1000)

	met := sloRun(availability(99), rs...)
	require.NotNil(t, met.Availability)
	assert.Equal(t, SLOResult{
		ObjectivePercent: 99, AchievedPercent: 99, Valid: 1000, Good: 990, Bad: 10,
		Budget: Budget{Allowed: 10, Spent: 10, SpentPercent: ptr(100), Remaining: 0}, Met: true,
	}, *met.Availability)
	assert.Equal(t, VerdictMet, met.Verdict)
	assert.Nil(t, met.Latency)

	missed := sloRun(availability(99.9), rs...)
	assert.False(t, missed.Availability.Met)
	assert.Equal(t, ptr(1000), missed.Availability.Budget.SpentPercent)
	assert.Equal(t, VerdictNotMet, missed.Verdict)
}

func TestLatencySLO(t *testing.T) {
	t.Parallel()
	const route = "GET /products"
	rs := []vegeta.Result{
		sample(route, 0, 200, ms(100)), // fast
		sample(route, 0, 200, ms(250)), // at the threshold: fast
		sample(route, 0, 404, ms(10)),  // good (not an availability failure) and fast
		sample(route, 0, 200, ms(251)), // slow
		sample(route, 0, 503, ms(1)),   // quick, but failed: not fast
		sample(route, 0, 0, ms(2)),     // no response: not fast
		sample(route, 0, 429, ms(1)),   // rate-limited: not fast
	}
	got := sloRun(latencySLO(ms(250), 50), rs...)
	require.NotNil(t, got.Latency)
	assert.Equal(t, Duration(ms(250)), got.Latency.Threshold)
	assert.Equal(t, 7, got.Latency.Valid)
	assert.Equal(t, 3, got.Latency.Good)
	assert.Equal(t, 4, got.Latency.Bad)
	assert.False(t, got.Latency.Met)
	assert.Equal(t, VerdictNotMet, got.Verdict)
}

func TestVerdict(t *testing.T) {
	t.Parallel()
	ok := sample("POST /orders", 0, 200, ms(10))
	slow := sample("POST /orders", 0, 200, ms(900))
	both := scenarios.SLO{Availability: availability(99).Availability, Latency: latencySLO(ms(500), 99).Latency}
	tests := []struct {
		name    string
		slo     scenarios.SLO
		results []vegeta.Result
		want    string
	}{
		{"no SLO", scenarios.SLO{}, []vegeta.Result{ok}, VerdictNone},
		{"both met", both, repeat(10, ok), VerdictMet},
		{"latency missed", both, append(repeat(9, ok), slow), VerdictNotMet},
		{"nothing measured meets nothing", both, nil, VerdictNotMet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, sloRun(tt.slo, tt.results...).Verdict)
		})
	}
}
