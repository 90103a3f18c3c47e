package telemetry_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/faults"
	"github.com/meshlab/meshlab/mesh/proxy"
	"github.com/meshlab/meshlab/mesh/telemetry"
)

func TestMiddlewareRecordsEachAnswer(t *testing.T) {
	t.Parallel()
	m := telemetry.New("sidecar", "payment-1")
	mux := http.NewServeMux()
	mux.HandleFunc("POST /payments", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusCreated) })
	mux.HandleFunc("GET /users/{id}", func(http.ResponseWriter, *http.Request) {}) // writes nothing: 200
	mux.HandleFunc("GET /abort", func(w http.ResponseWriter, _ *http.Request) { faults.AbortConnection(w) })
	side := telemetry.Side{Name: adminapi.SideInbound, Source: telemetry.Const("order"), Destination: telemetry.Const("payment")}
	srv := httptest.NewServer(m.Middleware(side)(mux))
	defer srv.Close()
	c := &http.Client{Timeout: wait}

	for range 3 {
		resp, err := c.Post(srv.URL+"/payments", "application/json", strings.NewReader("{}"))
		require.NoError(t, err)
		resp.Body.Close()
	}
	for _, path := range []string{"/users/1", "/nowhere"} {
		resp, err := c.Get(srv.URL + path)
		require.NoError(t, err)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	fresh := &http.Client{Timeout: wait, Transport: &http.Transport{DisableKeepAlives: true}}
	_, err := fresh.Get(srv.URL + "/abort") // a new connection: the client does not retry the GET
	require.Error(t, err, "the connection is closed without an answer")

	in := func(route, code string) map[string]string {
		return map[string]string{"side": "inbound", "source": "order", "destination": "payment", "route": route, "code": code}
	}
	// the aborted connection is closed before its handler returns and the middleware records it.
	require.Eventually(t, func() bool {
		return sample(t, scrape(t, m.Handler()), adminapi.NameRequests, in(telemetry.RouteOther, telemetry.CodeAborted)) == 1
	}, wait, 5*time.Millisecond)
	text := scrape(t, m.Handler())
	assert.Equal(t, 3.0, sample(t, text, adminapi.NameRequests, in("POST /payments", "201")))
	assert.Equal(t, 1.0, sample(t, text, adminapi.NameRequests, in("GET /users/{id}", "200")))
	assert.Equal(t, 1.0, sample(t, text, adminapi.NameRequests, in(telemetry.RouteOther, "404")))
	assert.Equal(t, 1.0, sample(t, text, adminapi.NameRequests, in(telemetry.RouteOther, telemetry.CodeAborted)))
	assert.Equal(t, 6.0, sample(t, text, adminapi.NameDuration, nil))
	promtoolCheck(t, text)
}

func TestMiddlewarePublicSideNamesTheRouteService(t *testing.T) {
	t.Parallel()
	m := telemetry.New("gateway", "gateway")
	h := m.Middleware(telemetry.Side{Name: adminapi.SidePublic, Source: telemetry.Const("client")})(
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTooManyRequests) }))
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := (&http.Client{Timeout: wait}).Get(srv.URL + "/products/9")
	require.NoError(t, err)
	resp.Body.Close()
	text := scrape(t, m.Handler())
	assert.Equal(t, 1.0, sample(t, text, adminapi.NameRequests, map[string]string{"side": "public",
		"source": "client", "destination": "product", "route": "GET /products/{id}", "code": "429"}))
}

// A fault's abort under faults.Abortable is recorded as aborted when the middleware is
// outermost: m.Middleware(side)(faults.Abortable(h)).
func TestMiddlewareOutsideAbortableRecordsAborts(t *testing.T) {
	t.Parallel()
	m := telemetry.New("gateway", "gateway")
	var eng faults.Engine
	require.NoError(t, eng.Set([]faults.HTTPRule{{Name: "cut", Target: faults.TargetRequest, Abort: ptr(true)}}))
	ph := proxy.NewHandler(proxy.Chain(http.DefaultTransport, eng.Middleware), nil)
	h := m.Middleware(telemetry.Side{Name: adminapi.SidePublic})(faults.Abortable(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ph.Serve(w, r, proxy.Route{Service: "payment"}) })))
	srv := httptest.NewServer(h)
	defer srv.Close()
	fresh := &http.Client{Timeout: wait, Transport: &http.Transport{DisableKeepAlives: true}}
	_, err := fresh.Post(srv.URL+"/payments", "application/json", nil)
	require.Error(t, err, "no answer")
	// the connection is closed before the handler returns and the middleware records it.
	aborted := map[string]string{"route": "POST /payments", "destination": "payment", "code": telemetry.CodeAborted}
	require.Eventually(t, func() bool {
		return sample(t, scrape(t, m.Handler()), adminapi.NameRequests, aborted) == 1
	}, wait, 5*time.Millisecond)
	text := scrape(t, m.Handler())
	assert.Equal(t, 1.0, sample(t, text, adminapi.NameRequests, aborted), "recorded once")
}
