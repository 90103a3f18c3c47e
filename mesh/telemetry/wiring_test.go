package telemetry_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/gateway"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
	"github.com/meshlab/meshlab/mesh/sidecar"
	"github.com/meshlab/meshlab/mesh/telemetry"
)

// TestWiringGatewayAndSidecar wires telemetry into a real gateway and a real sidecar the way
// cmd/meshd does, and checks that a request through both is seen on every side.
func TestWiringGatewayAndSidecar(t *testing.T) {
	t.Parallel()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	}))
	defer app.Close()

	// the sidecar of payment-1
	sm := telemetry.New("sidecar", "payment-1")
	sc, err := sidecar.New(sidecar.Config{Service: "payment", Instance: "payment-1", App: app.Listener.Addr().String(),
		OutboundRequest: []proxy.Middleware{sm.Outbound("payment"), telemetry.Trace}})
	require.NoError(t, err)
	sm.WatchProxy(sc.Resilience())
	in := httptest.NewServer(sm.Middleware(telemetry.Side{Name: adminapi.SideInbound, Destination: telemetry.Const("payment"),
		Source: func(r *http.Request) string { return sidecar.PeerOf(r).Service }})(sc.Inbound()))
	defer in.Close()

	// the gateway
	gm := telemetry.New("gateway", "gateway")
	gw, err := gateway.New(gateway.Config{Request: []proxy.Middleware{gm.Outbound("gateway"), telemetry.Trace},
		OnRateLimited: gm.RateLimited})
	require.NoError(t, err)
	gm.WatchProxy(gw.Resilience())
	pub := httptest.NewServer(gm.Middleware(telemetry.Side{Name: adminapi.SidePublic, Source: telemetry.Const("client")})(gw))
	defer pub.Close()
	gw.Update(controlplane.Snapshot{Version: 1, PolicyVersion: 1,
		Services: map[string][]controlplane.Instance{"payment": {{ID: "payment-1", Service: "payment",
			Addr: in.Listener.Addr().String(), Labels: map[string]string{"app": "payment"}, Ready: true}}},
		Policy: &policy.MeshPolicy{Spec: policy.Spec{Gateway: policy.GatewayPolicy{
			RateLimits: []policy.RateLimit{{Route: "POST /payments", RequestsPerSecond: 0.001, Burst: 1}}}}}})

	c := &http.Client{Timeout: wait}
	codes := []int{}
	for range 2 {
		resp, err := c.Post(pub.URL+"/payments", "application/json", nil)
		require.NoError(t, err)
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	assert.Equal(t, []int{201, 429}, codes, "the second exceeds the limit")

	admin := http.NewServeMux() // as meshd mounts it
	admin.Handle("GET /metrics", adminapi.RequireToken("t", gm.Handler()))
	g := scrape(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set(adminapi.TokenHeader, "t")
		admin.ServeHTTP(w, r)
	}))
	route := "POST /payments"
	assert.Equal(t, 1.0, sample(t, g, adminapi.NameRequests, map[string]string{"side": "public", "route": route, "code": "201"}))
	assert.Equal(t, 1.0, sample(t, g, adminapi.NameRequests, map[string]string{"side": "public", "route": route, "code": "429"}))
	assert.Equal(t, 1.0, sample(t, g, adminapi.NameRequests, map[string]string{"side": "outbound", "source": "gateway",
		"destination": "payment", "route": route, "code": "201"}))
	assert.Equal(t, 1.0, sample(t, g, adminapi.NameTries, nil))
	assert.Equal(t, 1.0, sample(t, g, adminapi.NameRateLimited, map[string]string{"route": route}))
	s := scrape(t, sm.Handler())
	assert.Equal(t, 1.0, sample(t, s, adminapi.NameRequests, map[string]string{"side": "inbound", "source": "unknown",
		"destination": "payment", "route": route, "code": "201"}), "plain HTTP: no peer identity")
	promtoolCheck(t, g)
	promtoolCheck(t, s)
}
