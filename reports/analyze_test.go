package reports

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/scenarios"
)

// evenly is n requests of route spread evenly over [from, from+span), each answered with code
// after latency.
func evenly(route string, n int, from, span time.Duration, code uint16, latency time.Duration) []vegeta.Result {
	out := make([]vegeta.Result, n)
	for i := range out {
		out[i] = sample(route, from+span*time.Duration(i)/time.Duration(n), code, latency)
	}
	return out
}

func TestAnalyzeExcludesWarmup(t *testing.T) {
	t.Parallel()
	meta := testMeta(100, 10*time.Second, 2*time.Second)
	// Warm-up: 200 slow failures that would ruin every figure; then 800 quick successes.
	rs := append(evenly("GET /users/{id}", 200, 0, 2*time.Second, 503, 9*time.Second),
		evenly("GET /users/{id}", 800, 2*time.Second, 8*time.Second, 200, ms(4))...)
	r := Analyze(meta, rs)

	assert.Equal(t, 1000, r.Run.Samples)
	assert.Equal(t, 200, r.Window.WarmupRequests)
	assert.Equal(t, t0.Add(2*time.Second), r.Window.Start)
	assert.Equal(t, t0.Add(10*time.Second), r.Window.End)
	assert.Equal(t, Duration(8*time.Second), r.Window.Measured)
	assert.Equal(t, Duration(2*time.Second), r.Window.Warmup)
	o := r.Overall
	assert.Equal(t, 800, o.Requests)
	assert.Equal(t, 800, o.Successes)
	assert.Equal(t, 100.0, o.SuccessPercent)
	assert.Equal(t, map[string]int{"200": 800}, o.StatusCodes)
	assert.Empty(t, o.Errors)
	assert.Equal(t, Duration(ms(4)), o.Latency.Max)
	assert.Equal(t, 100.0, o.AchievedRate)
	assert.Equal(t, 100.0, o.Throughput)
	assert.Equal(t, 100.0, o.TargetRate)
}

func TestAnalyzeAchievedRateUsesActualSendTimes(t *testing.T) {
	t.Parallel()
	meta := testMeta(100, 10*time.Second, 2*time.Second)
	rs := evenly("GET /products", 800, 2*time.Second, 8*time.Second, 200, ms(3))
	// The last 80 requests left 1.5s late, after the end of the window.
	for i := 720; i < 800; i++ {
		rs[i] = withLag(rs[i], 1500*time.Millisecond)
	}
	// 40 warm-up requests left late enough to land in the window.
	for range 40 {
		rs = append(rs, withLag(sample("GET /products", 1900*time.Millisecond, 200, ms(3)), 200*time.Millisecond))
	}
	r := Analyze(meta, rs)
	assert.Equal(t, 800, r.Overall.Requests)
	assert.Equal(t, 760, r.Overall.Sent, "720 on time + 40 late warm-up requests")
	assert.Equal(t, 95.0, r.Overall.AchievedRate)
	assert.Equal(t, 100.0, r.Overall.Throughput, "throughput counts successes by intended time")
	assert.Equal(t, 95.0, r.Routes["GET /products"].AchievedRate)
	assert.Equal(t, Duration(1500*time.Millisecond), r.Overall.SendLag.Max)
	assert.Equal(t, Duration(1500*time.Millisecond), r.Overall.SendLag.P99)
	assert.Equal(t, Duration(0), r.Overall.SendLag.P50)
}

func TestAnalyzeRoutes(t *testing.T) {
	t.Parallel()
	meta := testMeta(100, 10*time.Second, 0)
	meta.Scenario.Load.Mix = []scenarios.RouteWeight{{Route: "POST /orders", Weight: 3}, {Route: "POST /payments", Weight: 1}}
	rs := append(evenly("POST /orders", 750, 0, 10*time.Second, 201, ms(20)),
		evenly("GET /healthz", 10, 0, 10*time.Second, 404, ms(1))...)
	r := Analyze(meta, rs)

	assert.Equal(t, []string{"POST /orders", "POST /payments", OtherRoute}, r.RouteOrder)
	require.Len(t, r.Routes, 3)
	assert.Equal(t, 75.0, r.Routes["POST /orders"].TargetRate)
	assert.Equal(t, 75.0, r.Routes["POST /orders"].AchievedRate)
	assert.Equal(t, 25.0, r.Routes["POST /payments"].TargetRate)
	assert.Equal(t, 0, r.Routes["POST /payments"].Requests, "in the mix, never sent")
	assert.Equal(t, 0.0, r.Routes[OtherRoute].TargetRate)
	assert.Equal(t, 10, r.Routes[OtherRoute].Requests)
	assert.Equal(t, []ErrorCount{{"404 Not Found", 10}}, r.Routes[OtherRoute].Errors)
	assert.Equal(t, uint64(750*80), r.Routes["POST /orders"].BytesOut)
	assert.Equal(t, uint64(760*64), r.Overall.BytesIn)
}

func TestAnalyzeTargetRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		load   scenarios.Load
		warmup time.Duration
		meta   float64 // Meta.TargetRate
		want   float64
	}{
		{"constant", scenarios.Load{Rate: 50, Duration: dur(10 * time.Second)}, 2 * time.Second, 0, 50},
		{"ramp: mean over the window", scenarios.Load{Profile: "ramp", Rate: 0, To: 100, Duration: dur(10 * time.Second)},
			5 * time.Second, 0, 75},
		{"steps: the warm-up covers the first", scenarios.Load{Profile: "steps", Steps: []scenarios.Step{
			{Rate: 10, Duration: dur(2 * time.Second)}, {Rate: 40, Duration: dur(4 * time.Second)},
			{Rate: 100, Duration: dur(4 * time.Second)}}}, 2 * time.Second, 0, 70},
		{"the harness's figure wins", scenarios.Load{Rate: 50, Duration: dur(10 * time.Second)}, 0, 42, 42},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			meta := testMeta(0, 0, tt.warmup)
			meta.Scenario.Load, meta.TargetRate = tt.load, tt.meta
			assert.InDelta(t, tt.want, Analyze(meta, nil).Overall.TargetRate, 1e-9)
		})
	}
}

func dur(d time.Duration) scenarios.Duration { return scenarios.Duration{Duration: d} }

func TestAnalyzeInterrupted(t *testing.T) {
	t.Parallel()
	meta := testMeta(100, 10*time.Second, 2*time.Second)
	meta.Interrupted = true
	// Cut short after 6s: requests intended up to 5.99s, the last sent 10ms late.
	rs := evenly("GET /users/{id}", 600, 0, 6*time.Second, 200, ms(2))
	rs[599] = withLag(rs[599], 10*time.Millisecond)
	r := Analyze(meta, rs)
	assert.True(t, r.Run.Interrupted)
	assert.Equal(t, t0.Add(6*time.Second), r.Window.End)
	assert.Equal(t, Duration(4*time.Second), r.Window.Measured)
	assert.Equal(t, 400, r.Overall.Requests)
	assert.Equal(t, 100.0, r.Overall.AchievedRate)

	empty := Analyze(meta, nil)
	assert.Equal(t, Duration(0), empty.Window.Measured)
	assert.Equal(t, 0.0, empty.Overall.AchievedRate)
	assert.Equal(t, 0, empty.Overall.Requests)
}

func TestAnalyzeOrderDoesNotMatter(t *testing.T) {
	t.Parallel()
	meta := testMeta(100, 10*time.Second, 2*time.Second)
	rs := syntheticRun()
	want := Analyze(meta, rs)
	reversed := make([]vegeta.Result, len(rs))
	for i := range rs {
		reversed[len(rs)-1-i] = rs[i]
	}
	assert.Equal(t, want, Analyze(meta, reversed))
}
