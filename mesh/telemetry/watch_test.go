package telemetry_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/faults"
	"github.com/meshlab/meshlab/mesh/netfault"
	"github.com/meshlab/meshlab/mesh/proxy"
	"github.com/meshlab/meshlab/mesh/telemetry"
)

func TestWatchersReadStatsWhenScraped(t *testing.T) {
	t.Parallel()
	m := telemetry.New("sidecar", "order-1")

	var eng faults.Engine
	path := "/users/*"
	require.NoError(t, eng.Set([]faults.HTTPRule{{Name: "teapot", Target: faults.TargetRequest, Path: &path,
		Delay: ptr("1ms")}}))
	m.WatchFaults(&eng)
	nf := netfault.NewEngine(slog.New(slog.DiscardHandler), 1)
	require.NoError(t, nf.Set([]netfault.Rule{{Name: "slow", Targets: []netip.Prefix{netip.MustParsePrefix("127.0.0.9/32")},
		Delay: &netfault.Delay{Latency: time.Millisecond}}}))
	m.WatchNet(nf)
	denied := 0.0
	m.WatchCounter(adminapi.NameAuthzDenied, "Requests refused by authorization.", "", func() map[string]float64 {
		return map[string]float64{"": denied}
	})
	m.WatchCounter(adminapi.NameMTLSFailures, "Failed mTLS handshakes.", "", func() map[string]float64 {
		return map[string]float64{"": 2}
	})
	m.RateLimited(nil, "POST /orders")

	up := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer up.Close()
	rt := proxy.Chain(http.DefaultTransport, eng.Middleware)
	for range 4 {
		req, err := http.NewRequest(http.MethodGet, up.URL+"/users/1", nil)
		require.NoError(t, err)
		resp, err := rt.RoundTrip(req)
		require.NoError(t, err)
		resp.Body.Close()
	}
	denied = 7 // read at scrape time, not at registration

	text := scrape(t, m.Handler())
	assert.Equal(t, 4.0, sample(t, text, adminapi.NameHTTPChaos, map[string]string{"rule": "teapot"}))
	assert.Equal(t, 0.0, sample(t, text, adminapi.NameNetfaultEvents, map[string]string{"rule": "slow", "kind": "delayed"}))
	assert.Contains(t, text, `meshlab_netfault_bytes_total{kind="throttled",mesh_instance="order-1",role="sidecar",rule="slow"} 0`)
	assert.Equal(t, 7.0, sample(t, text, adminapi.NameAuthzDenied, nil))
	assert.Equal(t, 2.0, sample(t, text, adminapi.NameMTLSFailures, nil))
	assert.Equal(t, 1.0, sample(t, text, adminapi.NameRateLimited, map[string]string{"route": "POST /orders"}))
	assert.Contains(t, text, "go_goroutines")
	promtoolCheck(t, text)
}

func ptr[T any](v T) *T { return &v }
