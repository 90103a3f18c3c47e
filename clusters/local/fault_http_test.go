package local

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/policy"
)

const paymentAbort = `
apiVersion: chaos-mesh.org/v1alpha1
kind: HTTPChaos
metadata: {name: payment-abort}
spec:
  mode: all
  selector: {labelSelectors: {app: payment}}
  target: Request
  port: 8080
  path: /payments
  method: POST
  abort: true
`

// abortHits sums how often the abort rule fired on every payment sidecar.
func abortHits(t *testing.T, m *localMesh) uint64 {
	var n uint64
	for _, p := range m.pods {
		if p.service == "payment" {
			n += readFaults(t, p.sidecar).HTTP.Stats["payment-abort"]
		}
	}
	return n
}

func TestFaultHTTPAbortClosesAndRetriesOnlyOnReset(t *testing.T) {
	m := needMesh(t)
	waitHealthy(t, m)
	injected := time.Now()
	inject(t, m, chaosFault(t, paymentAbort, ids(m, "payment")))
	t.Logf("HTTPChaos abort injected on %d sidecars in %v", len(ids(m, "payment")), time.Since(injected))

	direct := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for _, id := range ids(m, "payment") {
		code, _, err := do(direct, "POST", "http://"+podByID(t, m, id).sidecar.Addrs()["inbound"]+"/payments", bodyFor("/payments", 0), nil)
		t.Logf("direct POST /payments at %s's sidecar: status %d, err %v", id, code, err)
		assert.Error(t, err, "the connection is closed without a response")
		assert.Zero(t, code)
		code, _, err = do(direct, "GET", "http://"+podByID(t, m, id).sidecar.Addrs()["inbound"]+"/internal/stats", nil, nil)
		assert.NoError(t, err, "requests the rule does not match pass")
	}

	tries := func(retryOn string) (uint64, map[int]int) {
		applyPolicy(t, m, policy.MeshPolicy{Spec: policy.Spec{Services: map[string]policy.ServicePolicy{
			"payment": {RoutePolicy: policy.RoutePolicy{Retries: &policy.RetryPolicy{Attempts: 2, RetryOn: []string{retryOn}}}}}}})
		before := abortHits(t, m)
		codes := map[int]int{}
		const n = 5
		for i := 0; i < n; i++ {
			code, _, err := do(client, "POST", m.GatewayURL()+"/payments", bodyFor("/payments", i),
				map[string]string{"Idempotency-Key": fmt.Sprintf("abort-%s-%d-%d", retryOn, i, time.Now().UnixNano())})
			require.NoError(t, err, "the gateway answers its client")
			codes[code]++
		}
		return (abortHits(t, m) - before), codes
	}
	withReset, codesReset := tries("reset")
	// "5xx" and "gateway-error" retry resets too (as in Envoy); a bare status code does not.
	without, codes503 := tries("503")
	t.Logf("through the gateway, 5 payments: retryOn [reset] → %d tries %v; retryOn [503] → %d tries %v",
		withReset, codesReset, without, codes503)
	// Exact: the proxies' transport never re-sends a request by itself (net/http's re-sent a
	// replayable one, Idempotency-Key included, that failed on a reused idle connection, and
	// hid up to one aborted try per payment instance).
	assert.Equal(t, uint64(5*3), withReset, "reset is retried: 1 try + 2 retries each")
	assert.Equal(t, uint64(5), without, "without reset in retryOn, exactly one try")
	for code := range codesReset {
		assert.GreaterOrEqual(t, code, 500)
	}
}

// TestFaultHTTPAbortScheduledToEffective measures, over several injections, the time from the
// Inject call to the first payment the client sees fail.
func TestFaultHTTPAbortScheduledToEffective(t *testing.T) {
	m := needMesh(t)
	waitHealthy(t, m)
	f := chaosFault(t, paymentAbort, ids(m, "payment"))
	url := m.GatewayURL() + "/payments"
	var lags []time.Duration
	for i := 0; i < 6; i++ {
		lag, ok := firstAffected(t, m, &http.Client{Timeout: 10 * time.Second}, "POST", url, f,
			func(s sample) bool { return s.err != nil || s.code >= 500 })
		require.True(t, ok, "no payment was observed failing")
		lags = append(lags, lag)
	}
	slices.Sort(lags)
	t.Logf("HTTPChaos scheduled→effective over %d injections: %v (p99 = max %v)", len(lags), lags, lags[len(lags)-1])
	assert.LessOrEqual(t, lags[len(lags)-1], 100*time.Millisecond)
	waitHealthy(t, m)
}
