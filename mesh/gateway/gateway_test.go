package gateway

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/proxy"
)

func fourServices(t *testing.T) map[string]*upstream {
	return map[string]*upstream{
		"user": newUpstream(t, "user"), "product": newUpstream(t, "product"),
		"order": newUpstream(t, "order"), "payment": newUpstream(t, "payment"),
	}
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	_, url := startGateway(t, Config{}, fourServices(t))
	tests := []struct {
		name, method, path string
		code               int
		service, allow     string
		body               string // for gateway errors: the exact JSON
	}{
		{"user", "GET", "/users/17", 200, "user", "", ""},
		{"user HEAD", "HEAD", "/users/17", 200, "", "", ""},
		{"product", "GET", "/products/4711", 200, "product", "", ""},
		{"product list", "GET", "/products?limit=25", 200, "product", "", ""},
		{"order", "POST", "/orders", 200, "order", "", ""},
		{"payment", "POST", "/payments", 200, "payment", "", ""},
		{"unknown path", "GET", "/nope", 404, "", "", `{"error":"no route for GET /nope"}`},
		{"root", "GET", "/", 404, "", "", `{"error":"no route for GET /"}`},
		{"reservations are internal", "POST", "/products/9/reservations", 404, "", "", `{"error":"no route for POST /products/9/reservations"}`},
		{"release is internal", "DELETE", "/products/9/reservations/r1", 404, "", "", ""},
		{"stats are internal", "GET", "/internal/stats", 404, "", "", ""},
		{"empty id", "GET", "/users/", 404, "", "", ""},
		{"trailing slash", "POST", "/orders/", 404, "", "", ""},
		{"orders are POST", "GET", "/orders", 405, "", "POST", `{"error":"method GET not allowed on /orders"}`},
		{"users are GET", "DELETE", "/users/17", 405, "", "GET, HEAD", ""},
		{"products are GET", "POST", "/products", 405, "", "GET, HEAD", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := meshtest.Do(t, tt.method, url+tt.path, "", nil)
			assert.Equal(t, tt.code, a.Code, a.Body)
			assert.Regexp(t, `^[0-9a-f]{32}$`, a.Header.Get("X-Request-Id"))
			assert.Len(t, a.Header.Values("X-Request-Id"), 1, "the gateway's id replaces the upstream's")
			assert.Equal(t, tt.allow, a.Header.Get("Allow"))
			if tt.method != "HEAD" {
				assert.Equal(t, "application/json", a.Header.Get("Content-Type"))
			}
			if tt.service != "" {
				assert.JSONEq(t, `{"service":"`+tt.service+`","path":"`+tt.path+`"}`, a.Body)
			}
			if tt.body != "" {
				assert.JSONEq(t, tt.body, a.Body)
			}
		})
	}
}

func TestRequestIDAndTrace(t *testing.T) {
	t.Parallel()
	ups := fourServices(t)
	_, url := startGateway(t, Config{}, ups)
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	traceparent := regexp.MustCompile(`^00-[0-9a-f]{32}-[0-9a-f]{16}-01$`)

	t.Run("new", func(t *testing.T) {
		a := meshtest.Do(t, "GET", url+"/users/1", "", nil)
		up := ups["user"].last(t)
		assert.Equal(t, a.Header.Get("X-Request-Id"), up.Get("X-Request-Id"), "the same id upstream and back")
		assert.Regexp(t, traceparent, up.Get("Traceparent"))
		b := meshtest.Do(t, "GET", url+"/users/1", "", nil)
		assert.NotEqual(t, a.Header.Get("X-Request-Id"), b.Header.Get("X-Request-Id"))
		assert.NotEqual(t, up.Get("Traceparent"), ups["user"].last(t).Get("Traceparent"))
	})
	t.Run("kept", func(t *testing.T) {
		a := meshtest.Do(t, "GET", url+"/users/1", "", http.Header{"X-Request-Id": {"client-id-1"}, "Traceparent": {tp}})
		up := ups["user"].last(t)
		assert.Equal(t, "client-id-1", a.Header.Get("X-Request-Id"))
		assert.Equal(t, "client-id-1", up.Get("X-Request-Id"))
		assert.Equal(t, tp, up.Get("Traceparent"))
	})
	t.Run("invalid traceparent restarts the trace", func(t *testing.T) {
		meshtest.Do(t, "GET", url+"/users/1", "", http.Header{"Traceparent": {"00-00000000000000000000000000000000-00f067aa0ba902b7-01"}})
		got := ups["user"].last(t).Get("Traceparent")
		assert.Regexp(t, traceparent, got)
		assert.NotContains(t, got, "-00000000000000000000000000000000-")
	})
}

func TestNoEndpoints(t *testing.T) {
	t.Parallel()
	_, url := startGateway(t, Config{}, map[string]*upstream{"user": newUpstream(t, "user")})
	a := meshtest.Do(t, "POST", url+"/payments", "{}", http.Header{"X-Request-Id": {"r-1"}})
	assert.Equal(t, http.StatusServiceUnavailable, a.Code)
	assert.Equal(t, proxy.ReasonNoEndpoints, a.Header.Get(proxy.ReasonHeader))
	assert.Equal(t, "r-1", a.Header.Get("X-Request-Id"))
	assert.Contains(t, a.Body, `"error"`)
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	_, err := New(Config{Timeout: -1, Retries: -1})
	require.Error(t, err)
	assert.ErrorContains(t, err, "timeout")
	assert.ErrorContains(t, err, "retries")
}

func TestAdmin(t *testing.T) {
	t.Parallel()
	g, _ := startGateway(t, Config{Token: testToken, Retries: 1}, fourServices(t))
	srv := meshtest.Serve(t, g.Admin())
	for _, path := range []string{"/healthz", "/v1/config"} {
		assert.Equal(t, http.StatusUnauthorized, meshtest.Do(t, "GET", srv+path, "", nil).Code, path)
	}
	var cfg struct {
		SnapshotVersion uint64
		Timeout         string
		Retries         int
		Routes          []struct{ Path, Service string }
		Endpoints       map[string][]struct{ ID string }
	}
	a := meshtest.Do(t, "GET", srv+"/v1/config", "", http.Header{"X-Meshlab-Token": {testToken}})
	require.Equal(t, http.StatusOK, a.Code)
	a.Decode(t, &cfg)
	assert.Equal(t, uint64(7), cfg.SnapshotVersion)
	assert.Equal(t, "5s", cfg.Timeout)
	assert.Equal(t, 1, cfg.Retries)
	assert.Len(t, cfg.Routes, 5)
	assert.Len(t, cfg.Endpoints, 4)
	assert.Equal(t, http.StatusOK, meshtest.Do(t, "GET", srv+"/healthz", "", http.Header{"Authorization": {"Bearer " + testToken}}).Code)
}
