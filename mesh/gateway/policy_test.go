package gateway

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// TestGatewayAppliesPolicy feeds the gateway a snapshot with a policy: its admin shows it,
// routes resolve their overrides, and the edge enforces the gateway part.
func TestGatewayAppliesPolicy(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []proxy.Route
	record := func(next http.RoundTripper) http.RoundTripper {
		return proxy.RoundTripFunc(func(req *http.Request) (*http.Response, error) {
			mu.Lock()
			seen = append(seen, proxy.CallOf(req).Route)
			mu.Unlock()
			return next.RoundTrip(req)
		})
	}
	ups := map[string]*upstream{"payment": newUpstream(t, "payment"), "user": newUpstream(t, "user")}
	g, url := startGateway(t, Config{Token: "tok", Request: []proxy.Middleware{record}}, ups)
	admin := meshtest.Serve(t, g.Admin())
	assert.Nil(t, g.Policy())

	doc := &policy.MeshPolicy{Spec: policy.Spec{
		Services: map[string]policy.ServicePolicy{"payment": {
			RoutePolicy: policy.RoutePolicy{Timeout: policy.Duration{Duration: 2 * time.Second}},
			Routes:      map[string]policy.RoutePolicy{"POST /payments": {Retries: &policy.RetryPolicy{Attempts: 3}}},
		}},
		Gateway: policy.GatewayPolicy{APIKeys: &policy.APIKeys{Required: true, Keys: []string{"k1"}}},
	}}
	snap := controlplane.Snapshot{Version: 8, Services: map[string][]controlplane.Instance{}, Policy: doc, PolicyVersion: 8}
	for svc, u := range ups {
		snap.Services[svc] = []controlplane.Instance{{ID: svc + "-1", Service: svc, Addr: u.srv.Listener.Addr().String(), Ready: true}}
	}
	g.Update(snap)
	require.Same(t, doc, g.Policy())

	var view controlplane.PolicyView
	meshtest.Do(t, "GET", admin+"/v1/policy", "", http.Header{"X-Meshlab-Token": {"tok"}}).Decode(t, &view)
	assert.Equal(t, uint64(8), view.Version)
	assert.Equal(t, []string{"k1"}, view.Policy.Spec.Gateway.APIKeys.Keys)
	var cfg configView
	meshtest.Do(t, "GET", admin+"/v1/config", "", http.Header{"X-Meshlab-Token": {"tok"}}).Decode(t, &cfg)
	assert.Equal(t, uint64(8), cfg.PolicyVersion)
	assert.Equal(t, uint64(8), cfg.SnapshotVersion)

	refused := meshtest.Do(t, "POST", url+"/payments", "{}", nil)
	assert.Equal(t, http.StatusUnauthorized, refused.Code, refused.Body)
	assert.NotEmpty(t, refused.Header.Get(headerRequestID))

	key := http.Header{"X-Api-Key": {"k1"}, headerRequestID: {"req-1"}}
	a := meshtest.Do(t, "POST", url+"/payments", "{}", key)
	require.Equal(t, http.StatusOK, a.Code, a.Body)
	assert.Equal(t, []string{"req-1"}, a.Header.Values(headerRequestID))
	require.Equal(t, http.StatusOK, meshtest.Do(t, "GET", url+"/users/1", "", key).Code)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 2)
	assert.Equal(t, "POST /payments", seen[0].Policy.Route)
	assert.Equal(t, 3, seen[0].Retries)
	assert.Equal(t, 2*time.Second, seen[0].Timeout)
	assert.Equal(t, "user", seen[1].Policy.Service)
	assert.Equal(t, DefaultTimeout, seen[1].Timeout)

	g.Update(controlplane.Snapshot{Version: 9, Services: snap.Services}) // a control plane that lost it
	assert.Same(t, doc, g.Policy())
}

// TestGatewayRateLimitFromPolicy: a rate limit arriving with a snapshot applies to the next
// request, and refusals reach OnRateLimited.
func TestGatewayRateLimitFromPolicy(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var limited []string
	onLimited := func(_ *http.Request, route string) {
		mu.Lock()
		defer mu.Unlock()
		limited = append(limited, route)
	}
	ups := map[string]*upstream{"user": newUpstream(t, "user")}
	g, url := startGateway(t, Config{OnRateLimited: onLimited}, ups)
	for range 3 {
		require.Equal(t, http.StatusOK, meshtest.Do(t, "GET", url+"/users/1", "", nil).Code)
	}
	doc := &policy.MeshPolicy{Spec: policy.Spec{Gateway: policy.GatewayPolicy{
		RateLimits: []policy.RateLimit{{Route: "GET /users/{id}", RequestsPerSecond: 0.01, Burst: 1}}}}}
	g.Update(controlplane.Snapshot{Version: 8, Services: map[string][]controlplane.Instance{
		"user": {{ID: "user-1", Service: "user", Addr: ups["user"].srv.Listener.Addr().String(), Ready: true}}},
		Policy: doc, PolicyVersion: 8})
	assert.Equal(t, http.StatusOK, meshtest.Do(t, "GET", url+"/users/1", "", nil).Code)
	a := meshtest.Do(t, "GET", url+"/users/1", "", nil)
	assert.Equal(t, http.StatusTooManyRequests, a.Code, a.Body)
	assert.NotEmpty(t, a.Header.Get("Retry-After"))
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"GET /users/{id}"}, limited)
}
