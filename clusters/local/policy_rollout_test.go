package local

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/policy"
)

func TestPolicyGatewayRateLimitPerClient(t *testing.T) {
	m := needMesh(t)
	const rate = 20.0
	p := policy.MeshPolicy{Spec: policy.Spec{Gateway: policy.GatewayPolicy{RateLimits: []policy.RateLimit{
		{Route: "GET /products/{id}", RequestsPerSecond: rate, Burst: 2, PerClient: true}}}}}
	applyPolicy(t, m, p)
	get := func(key string) func(int) outcome {
		return func(i int) outcome {
			return send("GET", fmt.Sprintf("%s/products/%d", m.GatewayURL(), 1+i), nil, map[string]string{"X-API-Key": key})
		}
	}
	var busy, calm []outcome
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); busy = paced(2*rate, 5*time.Second, get("client-busy")) }()
	go func() { defer wg.Done(); calm = paced(rate/2, 5*time.Second, get("client-calm")) }()
	wg.Wait()
	limited := func(o outcome) bool { return o.status == http.StatusTooManyRequests }
	withRetryAfter := count(busy, func(o outcome) bool { return limited(o) && o.hdr.Get("Retry-After") != "" })
	share := float64(count(busy, limited)) / float64(len(busy))
	t.Logf("rate limit %.0f rps per client: busy client at %.0f rps got %d/%d 429 (%.1f%%, %d with Retry-After); calm client at %.0f rps got %d/%d 429, %d ok",
		rate, 2*rate, count(busy, limited), len(busy), 100*share, withRetryAfter, rate/2, count(calm, limited), len(calm),
		count(calm, func(o outcome) bool { return o.status == http.StatusOK }))
	assert.InDelta(t, 0.5, share, 0.1, "about half of the busy client's requests are limited")
	assert.Equal(t, count(busy, limited), withRetryAfter, "every 429 says Retry-After")
	// At half its limit the calm client is refused only when scheduling bunches three of its
	// requests into one token interval: a few at most.
	assert.LessOrEqual(t, count(calm, limited), 3, "the other client is unaffected")
	assert.Equal(t, len(busy), count(busy, func(o outcome) bool { return o.status == http.StatusOK || limited(o) }))
}

func TestPolicyCanarySplit(t *testing.T) {
	m := needMesh(t)
	applyPolicy(t, m, servicePolicy("payment", policy.ServicePolicy{
		Subsets: []policy.Subset{{Name: "stable", Labels: map[string]string{"pod": "payment-0"}},
			{Name: "canary", Labels: map[string]string{"pod": "payment-1"}}},
		RoutePolicy: policy.RoutePolicy{Split: &policy.Split{Weights: []policy.WeightedSubset{
			{Subset: "stable", Weight: 90}, {Subset: "canary", Weight: 10}}}},
	}))
	const n = 5000
	before := appRequests(t, m, "payment")
	outs := fire(n, 16, func(int) outcome { return send("POST", m.GatewayURL()+"/payments", payBody, nil) })
	after := appRequests(t, m, "payment")
	d := map[string]int{}
	for id := range after {
		d[id] = after[id] - before[id]
	}
	canary := float64(d["payment-1"]) / float64(d["payment-0"]+d["payment-1"])
	t.Logf("90/10 split over %d payments: payment-0 %d, payment-1 %d (%.2f%%), payment-2 %d; %d failed",
		n, d["payment-0"], d["payment-1"], 100*canary, d["payment-2"], count(outs, failed))
	assert.InDelta(t, 0.10, canary, 0.02)
	assert.Zero(t, d["payment-2"], "an instance in no subset got traffic")
	assert.Zero(t, count(outs, failed))
}

// policyNamed is a harmless policy change that is recognizable by its name.
func policyNamed(name string) policy.MeshPolicy {
	p := servicePolicy("payment", policy.ServicePolicy{RoutePolicy: policy.RoutePolicy{
		Timeout: dur(5 * time.Second), Retries: &policy.RetryPolicy{Attempts: 2}}})
	p.Metadata.Name = name
	return p
}

// rollout sets p and returns how long it took until every sidecar and the gateway show its
// name on GET /v1/policy.
func rollout(t *testing.T, m *localMesh, p policy.MeshPolicy) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err := m.SetPolicy(ctx, p)
	require.NoError(t, err)
	t.Cleanup(func() { applyPolicy(t, m, policy.MeshPolicy{}) })
	var wg sync.WaitGroup
	var mu sync.Mutex
	var slowest time.Duration
	for _, a := range adminAddrs(m) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < 5*time.Second {
				var v struct{ Policy *policy.MeshPolicy }
				if adminGet(a, "/v1/policy", &v) == nil && v.Policy != nil && v.Policy.Metadata.Name == p.Metadata.Name {
					mu.Lock()
					slowest = max(slowest, time.Since(start))
					mu.Unlock()
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			mu.Lock()
			slowest = max(slowest, time.Hour)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return slowest
}

// background runs orders on 4 loops until stop is closed.
func background(m *localMesh, stop <-chan struct{}) func() []outcome {
	var mu sync.Mutex
	var outs []outcome
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				o := send("POST", m.GatewayURL()+"/orders", orderBody(w*100000+i), nil)
				mu.Lock()
				outs = append(outs, o)
				mu.Unlock()
			}
		}()
	}
	return func() []outcome { wg.Wait(); return outs }
}

func TestPolicyChangeUnderLoad(t *testing.T) {
	m := needMesh(t)
	stop := make(chan struct{})
	done := background(m, stop)
	time.Sleep(time.Second)
	took := rollout(t, m, policyNamed(fmt.Sprintf("change-%d", time.Now().UnixNano())))
	time.Sleep(time.Second)
	close(stop)
	outs := done()
	bad := count(outs, func(o outcome) bool { return o.status != http.StatusCreated })
	t.Logf("policy change under load: on every sidecar and the gateway after %v; %d orders, %d failed", took.Round(time.Millisecond), len(outs), bad)
	assert.LessOrEqual(t, took, time.Second)
	assert.Zero(t, bad)
}

func TestPolicyControlPlaneKilledUnderLoad(t *testing.T) {
	m := needMesh(t)
	stop := make(chan struct{})
	done := background(m, stop)
	time.Sleep(500 * time.Millisecond)
	old := m.cp.PID()
	require.NoError(t, syscall.Kill(old, syscall.SIGKILL))
	start := time.Now()
	for m.cp.PID() == old || m.cp.PID() == 0 {
		require.Less(t, time.Since(start), 20*time.Second, "control plane never restarted")
		time.Sleep(20 * time.Millisecond)
	}
	back := time.Since(start)
	time.Sleep(3 * time.Second) // past the restarted control plane's resync grace
	close(stop)
	outs := done()
	bad := count(outs, func(o outcome) bool { return o.status != http.StatusCreated })
	took := rollout(t, m, policyNamed(fmt.Sprintf("after-restart-%d", time.Now().UnixNano())))
	t.Logf("control plane SIGKILLed under load: back after %v; %d orders, %d failed; a policy set then reached every sidecar after %v",
		back.Round(time.Millisecond), len(outs), bad, took.Round(time.Millisecond))
	assert.Zero(t, bad, "the control plane's death failed requests")
	assert.LessOrEqual(t, took, time.Second)
}
