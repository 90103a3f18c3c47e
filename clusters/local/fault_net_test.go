package local

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/mesh/policy"
)

const productDelay = `
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: {name: product-delay}
spec:
  action: delay
  mode: all
  selector: {labelSelectors: {app: product}}
  direction: to
  target:
    mode: all
    selector: {labelSelectors: {app: gateway}}
  delay: {latency: 100ms}
`

func delayFault(t *testing.T, m *localMesh) clusters.Fault {
	return chaosFault(t, productDelay, ids(m, "product"), "gateway")
}

func TestFaultNetworkDelayTowardGateway(t *testing.T) {
	m := needMesh(t)
	waitHealthy(t, m)
	c := &http.Client{Timeout: 10 * time.Second}
	products, users := m.GatewayURL()+"/products?limit=10", m.GatewayURL()+"/users/7"
	const n = 41
	baseP, baseU := quantile(measure(t, c, "GET", products, n), .5), quantile(measure(t, c, "GET", users, n), .5)

	inject(t, m, delayFault(t, m))
	during := measure(t, c, "GET", products, n)
	require.Empty(t, failures(during))
	p50, u50 := quantile(during, .5), quantile(measure(t, c, "GET", users, n), .5)
	added := p50 - baseP
	t.Logf("products p50 %.1fms → %.1fms (added %.1fms of 100ms configured, fidelity %+.1f%%); users p50 %.1fms → %.1fms",
		ms(baseP), ms(p50), ms(added), (ms(added)-100)/100*100, ms(baseU), ms(u50))
	assert.InDelta(t, 112.5, ms(added), 17.5, "products p50 must rise by 95–130ms")
	assert.InDelta(t, 100, ms(added), 5, "fidelity: added delay within ±5%% of configured")
	assert.InDelta(t, ms(baseU), ms(u50), 5, "users must stay within 5ms of baseline")
}

// TestFaultNetworkDelayScheduledToEffective measures, over several injections, the time from the
// Inject call to the first client request observed to be delayed.
func TestFaultNetworkDelayScheduledToEffective(t *testing.T) {
	m := needMesh(t)
	waitHealthy(t, m)
	url := m.GatewayURL() + "/products?limit=10"
	var lags []time.Duration
	for i := 0; i < 6; i++ {
		lags = append(lags, effectiveAfter(t, m, url))
	}
	slices.Sort(lags)
	t.Logf("scheduled→effective over %d injections: %v (p99 = max %v)", len(lags), lags, lags[len(lags)-1])
	assert.LessOrEqual(t, lags[len(lags)-1], 100*time.Millisecond)
}

// effectiveAfter runs a client loop, injects the delay, and returns how long after the Inject call
// the first delayed request was sent (0 if one sent before was already delayed).
func effectiveAfter(t *testing.T, m *localMesh, url string) time.Duration {
	c := &http.Client{Timeout: 10 * time.Second}
	base := quantile(measure(t, c, "GET", url, 5), .5)
	lag, ok := firstAffected(t, m, c, "GET", url, delayFault(t, m),
		func(s sample) bool { return s.latency > base+60*time.Millisecond })
	require.True(t, ok, "no request was observed delayed")
	return lag
}

func TestFaultNetworkLossOnPayment(t *testing.T) {
	m := needMesh(t)
	waitHealthy(t, m)
	c := &http.Client{Timeout: 30 * time.Second}
	orders := m.GatewayURL() + "/orders"
	generous := policy.RoutePolicy{Timeout: policy.Duration{Duration: 20 * time.Second}}
	applyPolicy(t, m, policy.MeshPolicy{Spec: policy.Spec{Services: map[string]policy.ServicePolicy{
		"order": {RoutePolicy: generous}, "payment": {RoutePolicy: generous}}}})
	base := measure(t, c, "POST", orders, 40)
	inject(t, m, chaosFault(t, `
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: {name: payment-loss}
spec:
  action: loss
  mode: all
  selector: {labelSelectors: {app: payment}}
  loss: {loss: "30"}
`, ids(m, "payment")))
	lossy := measure(t, c, "POST", orders, 40)
	t.Logf("orders p90 %.1fms → %.1fms with 30%% loss on payment; failures %v", ms(quantile(base, .9)), ms(quantile(lossy, .9)), failures(lossy))
	assert.GreaterOrEqual(t, quantile(lossy, .9)-quantile(base, .9), 150*time.Millisecond)
	assert.Empty(t, failures(lossy), "no order fails outright while timeouts are generous")

	short := policy.RoutePolicy{Timeout: policy.Duration{Duration: 100 * time.Millisecond}}
	applyPolicy(t, m, policy.MeshPolicy{Spec: policy.Spec{Services: map[string]policy.ServicePolicy{
		"order": {RoutePolicy: generous}, "payment": {RoutePolicy: short}}}})
	timedOut := measure(t, c, "POST", orders, 40)
	f := failures(timedOut)
	t.Logf("with a 100ms timeout on payment: failures by status %v of %d", f, len(timedOut))
	assert.NotEmpty(t, f, "orders fail by timeout")
	body := failedBody(c, orders)
	t.Logf("a failed order's body: %s", body)
	assert.Regexp(t, `(?i)time(d)? ?out|deadline|504`, body, "the failure is a timeout")
	for code := range f {
		assert.Contains(t, []int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}, code,
			"an order fails by its upstream timing out, not an invented status")
	}
}

func TestFaultNetworkPartitionOrderToPayment(t *testing.T) {
	m := needMesh(t)
	waitHealthy(t, m)
	c := &http.Client{Timeout: 30 * time.Second}
	applyPolicy(t, m, policy.MeshPolicy{Spec: policy.Spec{Services: map[string]policy.ServicePolicy{
		"payment": {RoutePolicy: policy.RoutePolicy{Timeout: policy.Duration{Duration: 300 * time.Millisecond}}}}}})
	products := m.GatewayURL() + "/products/42"
	base := measure(t, c, "GET", products, 20)
	inject(t, m, chaosFault(t, `
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: {name: order-payment-partition}
spec:
  action: partition
  mode: all
  selector: {labelSelectors: {app: order}}
  direction: to
  target:
    mode: all
    selector: {labelSelectors: {app: payment}}
`, ids(m, "order"), ids(m, "payment")...))
	orders := measure(t, c, "POST", m.GatewayURL()+"/orders", 10)
	reads := measure(t, c, "GET", products, 20)
	t.Logf("partition: orders failures %v of %d (p50 %.0fms); products p50 %.1fms → %.1fms, failures %v",
		failures(orders), len(orders), ms(quantile(orders, .5)), ms(quantile(base, .5)), ms(quantile(reads, .5)), failures(reads))
	for _, s := range orders {
		assert.True(t, s.err == nil && s.code >= 500, "every order fails: %d %v", s.code, s.err)
		assert.GreaterOrEqual(t, s.latency, 300*time.Millisecond, "by timing out, not at once")
	}
	assert.Empty(t, failures(reads))
	assert.InDelta(t, ms(quantile(base, .5)), ms(quantile(reads, .5)), 10, "product reads unaffected")
}

func TestFaultNetworkDuplicateIsInvisibleButCounted(t *testing.T) {
	m := needMesh(t)
	waitHealthy(t, m)
	c := &http.Client{Timeout: 10 * time.Second}
	url := m.GatewayURL() + "/products?limit=10"
	base := quantile(measure(t, c, "GET", url, 41), .5)
	inject(t, m, chaosFault(t, `
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: {name: product-dup}
spec:
  action: duplicate
  mode: all
  selector: {labelSelectors: {app: product}}
  duplicate: {duplicate: "50"}
`, ids(m, "product")))
	during := measure(t, c, "GET", url, 41)
	var dup int64
	for _, p := range m.pods {
		if p.service == "product" {
			for _, r := range readFaults(t, p.sidecar).Net.Stats.Rules {
				if r.Name == "product-dup" {
					dup += r.DuplicatedBytes
				}
			}
		}
	}
	t.Logf("duplicate 50%%: p50 %.1fms → %.1fms, duplicated bytes %d", ms(base), ms(quantile(during, .5)), dup)
	assert.Empty(t, failures(during))
	assert.InDelta(t, ms(base), ms(quantile(during, .5)), 5)
	assert.Positive(t, dup)
}

func TestFaultInjectionIsIdempotent(t *testing.T) {
	m := needMesh(t)
	waitHealthy(t, m)
	f := delayFault(t, m)
	inject(t, m, f)
	inject(t, m, f)
	for _, id := range f.Selected {
		fs := readFaults(t, podByID(t, m, id).sidecar)
		assert.Len(t, fs.Net.Rules, 1, fmt.Sprintf("%s has one rule set", id))
	}
}

// failedBody returns the body of the first of up to 40 orders that fails.
func failedBody(c *http.Client, url string) string {
	for i := 0; i < 40; i++ {
		code, body, err := do(c, "POST", url, bodyFor("/orders", i), nil)
		if err == nil && code >= 500 {
			return string(body)
		}
	}
	return ""
}
