package telemetry_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
	"github.com/meshlab/meshlab/mesh/telemetry"
)

// outboundProxy is a real proxy.New chain with the telemetry middlewares, behind a loopback
// server that routes by Host, as a sidecar's outbound listener does.
func outboundProxy(t *testing.T, m *telemetry.Metrics, doc *policy.MeshPolicy, insts ...controlplane.Instance) string {
	t.Helper()
	opts := proxy.Options{Request: []proxy.Middleware{m.Outbound("order"), telemetry.Trace}}
	reg := proxy.NewRegistry()
	reg.Apply(&opts)
	m.WatchProxy(reg)
	p := proxy.New(opts)
	snap := controlplane.Snapshot{Version: 1, Services: map[string][]controlplane.Instance{}, Policy: doc, PolicyVersion: 1}
	for _, in := range insts {
		snap.Services[in.Service] = append(snap.Services[in.Service], in)
	}
	p.Update(snap)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.Serve(w, r, p.RouteFor(r.Host, r))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func upstream(t *testing.T, id, service string, h http.HandlerFunc) controlplane.Instance {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return controlplane.Instance{ID: id, Service: service, Addr: srv.Listener.Addr().String(),
		Labels: map[string]string{"app": service, "version": "v1"}, Ready: true}
}

func get(t *testing.T, base, host, path string, hdr http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	require.NoError(t, err)
	req.Host = host
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := (&http.Client{Timeout: wait}).Do(req)
	require.NoError(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestOutboundCountsRequestsTriesAndRetries(t *testing.T) {
	t.Parallel()
	m := telemetry.New("sidecar", "order-1")
	failing := upstream(t, "user-1", "user", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	ok := upstream(t, "product-1", "product", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok")
	})
	doc := &policy.MeshPolicy{Spec: policy.Spec{Services: map[string]policy.ServicePolicy{
		"user": {Routes: map[string]policy.RoutePolicy{"GET /users/{id}": {
			Retries: &policy.RetryPolicy{Attempts: 2, RetryOn: []string{"5xx"}}}}},
	}}}
	base := outboundProxy(t, m, doc, failing, ok)
	const n = 5
	for i := range n {
		assert.Equal(t, 503, get(t, base, "user", "/users/"+string(rune('1'+i)), nil).StatusCode)
		assert.Equal(t, 200, get(t, base, "product", "/products/7", nil).StatusCode)
	}
	assert.Equal(t, 200, get(t, base, "product", "/not/a/route", nil).StatusCode)

	text := scrape(t, m.Handler())
	out := map[string]string{"side": adminapi.SideOutbound, "source": "order", "role": "sidecar", "mesh_instance": "order-1"}
	with := func(kv ...string) map[string]string {
		l := map[string]string{}
		for k, v := range out {
			l[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			l[kv[i]] = kv[i+1]
		}
		return l
	}
	assert.Equal(t, float64(n), sample(t, text, adminapi.NameRequests, with("destination", "user", "route", "GET /users/{id}", "code", "503")))
	assert.Equal(t, float64(n), sample(t, text, adminapi.NameRequests, with("destination", "product", "route", "GET /products/{id}", "code", "200")))
	assert.Equal(t, 1.0, sample(t, text, adminapi.NameRequests, with("destination", "product", "route", telemetry.RouteOther)))
	assert.Equal(t, float64(2*n+1), sample(t, text, adminapi.NameDuration, with()), "one latency sample per request")
	assert.Equal(t, float64(3*n), sample(t, text, adminapi.NameTries, map[string]string{"destination": "user"}), "1 + 2 retries each")
	assert.Equal(t, float64(2*n), sample(t, text, adminapi.NameRetries, map[string]string{"destination": "user"}))
	assert.Equal(t, float64(n), sample(t, text, adminapi.NamePolicyRequests, map[string]string{"destination": "user"}))
	promtoolCheck(t, text)
}

// TestOutboundTriesAreTheWiresTries: the upstream closes each connection after its answer,
// unannounced, so the proxy's pooled connection is dead by the next request. The transport
// does not send a request on it and then again elsewhere (net/http's transport did so,
// silently): each request is one try, counted and seen once by the upstream.
func TestOutboundTriesAreTheWiresTries(t *testing.T) {
	t.Parallel()
	m := telemetry.New("sidecar", "order-1")
	var hungUp, seen atomic.Int64
	up := upstream(t, "user-1", "user", func(w http.ResponseWriter, _ *http.Request) {
		seen.Add(1)
		w.Header().Set("Content-Length", "2")
		io.WriteString(w, "ok")
		http.NewResponseController(w).Flush()
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close() // after the answer, unannounced: the proxy has pooled the connection
			hungUp.Add(1)
		}
	})
	base := outboundProxy(t, m, nil, up)
	const n = 10
	for i := range n {
		assert.Equal(t, 200, get(t, base, "user", "/users/7", nil).StatusCode)
		require.Eventually(t, func() bool { return hungUp.Load() == int64(i+1) }, wait, time.Millisecond)
	}
	text := scrape(t, m.Handler())
	dest := map[string]string{"destination": "user"}
	assert.Equal(t, float64(n), sample(t, text, adminapi.NameRequests, map[string]string{"destination": "user", "code": "200"}))
	assert.Equal(t, float64(n), sample(t, text, adminapi.NameTries, dest))
	assert.Zero(t, sample(t, text, adminapi.NameRetries, dest))
	assert.EqualValues(t, n, seen.Load(), "the upstream saw each request once")
}

func TestOutboundCodesOfProxyErrors(t *testing.T) {
	t.Parallel()
	m := telemetry.New("gateway", "gateway")
	base := outboundProxy(t, m, nil)
	// the table knows no endpoint of payment: the proxy answers 503 no-endpoints itself.
	assert.Equal(t, 503, get(t, base, "payment", "/payments", nil).StatusCode)
	text := scrape(t, m.Handler())
	assert.Equal(t, 1.0, sample(t, text, adminapi.NameRequests, map[string]string{"destination": "payment", "code": "503"}))
	assert.Zero(t, sample(t, text, adminapi.NameTries, nil), "no try was sent")
}

func TestTraceGivesEachHopAChildSpan(t *testing.T) {
	t.Parallel()
	m := telemetry.New("sidecar", "order-1")
	got := make(chan string, 1)
	up := upstream(t, "user-1", "user", func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Traceparent")
	})
	base := outboundProxy(t, m, nil, up)
	const in = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	get(t, base, "user", "/users/1", http.Header{"Traceparent": {in}})
	out := <-got
	require.True(t, telemetry.ValidTraceparent(out), out)
	assert.Equal(t, in[:36], out[:36], "same trace id")
	assert.Equal(t, in[52:], out[52:], "same flags")
	assert.NotEqual(t, in[36:52], out[36:52], "a new parent id")
	assert.False(t, strings.Contains(out, "0000000000000000"))
}
