package local

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// abortPayments is a static 503 abort on pct percent of the calls to payment, retried attempts
// times by the caller.
func abortPayments(pct float64, attempts int) policy.MeshPolicy {
	return servicePolicy("payment", policy.ServicePolicy{RoutePolicy: policy.RoutePolicy{
		Faults:  []policy.Fault{{Abort: &policy.FaultAbort{Percent: pct, HTTPStatus: http.StatusServiceUnavailable}}},
		Retries: &policy.RetryPolicy{Attempts: attempts},
	}})
}

func TestPolicyStaticAbortsAndRetries(t *testing.T) {
	m := needMesh(t)
	const n = 2000
	order := func(i int) outcome { return send("POST", m.GatewayURL()+"/orders", orderBody(i), nil) }

	applyPolicy(t, m, abortPayments(30, 0))
	outs := fire(n, 32, order)
	noRetry := float64(count(outs, func(o outcome) bool { return o.status != http.StatusCreated })) / n
	t.Logf("30%% aborts on payment, no retries: %d orders, %.1f%% failed", n, 100*noRetry)
	assert.InDelta(t, 0.30, noRetry, 0.03, "failed share without retries")

	applyPolicy(t, m, abortPayments(30, 3))
	outs = fire(n, 32, order)
	withRetry := float64(count(outs, func(o outcome) bool { return o.status != http.StatusCreated })) / n
	t.Logf("30%% aborts on payment, attempts 3: %d orders, %.2f%% failed (0.3^4 = 0.81%% expected)", n, 100*withRetry)
	assert.Less(t, withRetry, 0.02, "failed share with 3 retries")
}

func TestPolicyRetryBudgetBoundsTries(t *testing.T) {
	m := needMesh(t)
	const rate = 200.0
	p := abortPayments(100, 3)
	sp := p.Spec.Services["payment"]
	sp.Retries.Budget = &policy.RetryBudget{Percent: 20, MinRetriesPerSecond: 10}
	p.Spec.Services["payment"] = sp
	applyPolicy(t, m, p)

	gwAdmin := m.gateway.Addrs()["admin"]
	before := statsOf(t, gwAdmin).Resilience.Services["payment"]
	outs := paced(rate, 5*time.Second, func(i int) outcome {
		return send("POST", m.GatewayURL()+"/payments", payBody, payKey("budget", i))
	})
	after := statsOf(t, gwAdmin).Resilience.Services["payment"]
	reqs := after.Requests - before.Requests
	retries := after.Retries - before.Retries
	exhausted := after.BudgetExhausted - before.BudgetExhausted
	ratio := float64(reqs+retries) / float64(reqs)
	bound := 1 + 0.2 + 10/rate + 0.02
	t.Logf("100%% aborts, budget 20%%+10/s at %.0f rps: %d client requests (%d failed), gateway requests %d, retries %d, tries/requests %.3f (bound %.3f), budget exhausted %d",
		rate, len(outs), count(outs, failed), reqs, retries, ratio, bound, exhausted)
	require.Positive(t, reqs)
	assert.LessOrEqual(t, ratio, bound)
	assert.Positive(t, exhausted, "budget exhaustion counted")
	assert.Equal(t, len(outs), count(outs, failed), "every request fails: every try aborts")
}

func TestPolicyOutlierEjection(t *testing.T) {
	m := needMesh(t)
	bad := podByID(t, m, "payment-1")
	applyPolicy(t, m, servicePolicy("payment", policy.ServicePolicy{
		RoutePolicy: policy.RoutePolicy{Retries: &policy.RetryPolicy{Attempts: 0}},
		OutlierDetection: &policy.OutlierDetection{Consecutive5xxErrors: 5, Interval: dur(time.Second),
			BaseEjectionTime: dur(3 * time.Second), MaxEjectionPercent: 50},
	}))
	adminPut(t, bad.sidecar.Addrs()["admin"], "/v1/faults/http", map[string]any{"rules": []map[string]any{{
		"name": "payment-1-503", "target": "Response", "port": 8080, "replace": map[string]any{"code": 503}}}})
	t.Cleanup(func() { adminPut(t, bad.sidecar.Addrs()["admin"], "/v1/faults/http", map[string]any{"rules": []any{}}) })

	gwAdmin := m.gateway.Addrs()["admin"]
	before := statsOf(t, gwAdmin).Resilience.Services["payment"].EjectionsTotal
	type sample struct {
		at time.Time
		o  outcome
	}
	var samples []sample
	start := time.Now()
	for i := 0; time.Since(start) < 7*time.Second; i++ {
		o := send("POST", m.GatewayURL()+"/payments", payBody, payKey("outlier", i))
		samples = append(samples, sample{time.Now(), o})
		time.Sleep(10 * time.Millisecond)
	}
	st := statsOf(t, gwAdmin).Resilience.Services["payment"]
	var first *adminapi.Ejection
	for i := range st.Ejections {
		if e := &st.Ejections[i]; e.Endpoint == bad.id && e.At.After(start) && (first == nil || e.At.Before(first.At)) {
			first = e
		}
	}
	require.NotNil(t, first, "payment-1 never ejected; stats %+v", st)
	var errsBefore, errsDuring, nDuring int
	for _, s := range samples {
		switch {
		case s.at.Before(first.At):
			errsBefore += btoi(failed(s.o))
		case s.at.After(first.At.Add(100*time.Millisecond)) && s.at.Before(first.Until):
			nDuring++
			errsDuring += btoi(failed(s.o))
		}
	}
	t.Logf("outlier: ejected %v after start with %d client errors before it; while ejected (%v) %d/%d requests failed; ejections total +%d",
		first.At.Sub(start).Round(time.Millisecond), errsBefore, first.Until.Sub(first.At), errsDuring, nDuring, st.EjectionsTotal-before)
	// The 5th error reaches the client just after the gateway recorded the ejection.
	assert.GreaterOrEqual(t, errsBefore, 5-1, "ejected only after the configured consecutive errors")
	assert.LessOrEqual(t, errsDuring, 1, "errors fall to about zero while ejected")
	assert.Positive(t, nDuring)
	// It returns after the ejection time: it fails again, so it is ejected a second time.
	assert.GreaterOrEqual(t, st.EjectionsTotal-before, uint64(2), "payment-1 returned after %v and was ejected again", first.Until.Sub(first.At))
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestPolicyConnectionPoolFailsFast(t *testing.T) {
	m := needMesh(t)
	applyPolicy(t, m, servicePolicy("product", policy.ServicePolicy{
		RoutePolicy: policy.RoutePolicy{Timeout: dur(3 * time.Second), Retries: &policy.RetryPolicy{Attempts: 0},
			Faults: []policy.Fault{{Delay: &policy.FaultDelay{Percent: 100, FixedDelay: dur(time.Second)}}}},
		ConnectionPool: &policy.ConnectionPool{MaxRequests: 5},
	}))
	const n = 30
	outs := fire(n, n, func(i int) outcome { return send("GET", m.GatewayURL()+"/products/7", nil, nil) })
	var ok, overflow int
	var slowestOverflow time.Duration
	for _, o := range outs {
		switch {
		case o.status == http.StatusOK:
			ok++
		case o.hdr.Get(proxy.OverflowHeader) != "":
			overflow++
			slowestOverflow = max(slowestOverflow, o.dur)
		}
	}
	t.Logf("maxRequests 5, 1s delay, %d concurrent: %d ok, %d overflowed (slowest overflow %v), %d other",
		n, ok, overflow, slowestOverflow, n-ok-overflow)
	assert.LessOrEqual(t, ok, 5+5, "at most maxRequests in flight (plus ones started after the first finished)")
	assert.GreaterOrEqual(t, overflow, n-10)
	assert.Less(t, slowestOverflow, time.Second, "overflows fail fast, far below the 3s timeout")
	assert.Equal(t, n, ok+overflow, "nothing else: no request queued into a timeout")
}

func TestPolicyTimeouts(t *testing.T) {
	m := needMesh(t)
	delay := []policy.Fault{{Delay: &policy.FaultDelay{Percent: 100, FixedDelay: dur(2 * time.Second)}}}
	applyPolicy(t, m, servicePolicy("payment", policy.ServicePolicy{RoutePolicy: policy.RoutePolicy{
		Timeout: dur(500 * time.Millisecond), Retries: &policy.RetryPolicy{Attempts: 0}, Faults: delay}}))
	o := send("POST", m.GatewayURL()+"/payments", payBody, payKey("timeout", 0))
	t.Logf("route timeout 500ms vs 2s delay: %d after %v", o.status, o.dur.Round(time.Millisecond))
	assert.Equal(t, http.StatusGatewayTimeout, o.status)
	assert.InDelta(t, 500, o.dur.Milliseconds(), 400, "ends at the route timeout")

	applyPolicy(t, m, servicePolicy("payment", policy.ServicePolicy{RoutePolicy: policy.RoutePolicy{
		Timeout: dur(500 * time.Millisecond), Faults: delay,
		Retries: &policy.RetryPolicy{Attempts: 2, PerTryTimeout: dur(200 * time.Millisecond)}}}))
	o = send("POST", m.GatewayURL()+"/payments", payBody, payKey("pertry", 0))
	t.Logf("perTryTimeout 200ms × 3 tries within a 500ms route timeout: %d after %v", o.status, o.dur.Round(time.Millisecond))
	assert.Equal(t, http.StatusGatewayTimeout, o.status)
	assert.InDelta(t, 500, o.dur.Milliseconds(), 400, "ends by the overall timeout")
}
