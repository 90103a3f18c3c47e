package harness

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/internal/proctest"
	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
	"github.com/meshlab/meshlab/mesh/telemetry"
)

const scrapeToken = "run-token"

// adminTarget serves m's metrics at GET /metrics behind the run token, as an admin listener
// does, and returns its address.
func adminTarget(t *testing.T, m *telemetry.Metrics) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := httptest.NewServer(adminapi.RequireToken(scrapeToken, mux))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// targetAt is a proxy's admin API at addr as a backend hands it over: a transport that sends
// every request there with the run token.
func targetAt(workload, addr string) clusters.MetricsTarget {
	return targetWithToken(workload, addr, scrapeToken)
}

func targetWithToken(workload, addr, token string) clusters.MetricsTarget {
	return clusters.MetricsTarget{Workload: workload, Where: addr,
		Admin: proxy.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			r = r.Clone(r.Context())
			r.URL.Host = addr
			r.Header.Set(adminapi.TokenHeader, token)
			return http.DefaultTransport.RoundTrip(r)
		})}
}

func send(t *testing.T, c *http.Client, method, url, host string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader("{}"))
	require.NoError(t, err)
	req.Host = host
	resp, err := c.Do(req)
	require.NoError(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// failingPayment is a real proxy of opts whose only payment endpoint, payment-1, answers every
// request 503, under sp as payment's policy.
func failingPayment(t *testing.T, opts proxy.Options, sp policy.ServicePolicy) *proxy.Proxy {
	t.Helper()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(up.Close)
	p := proxy.New(opts)
	p.Update(controlplane.Snapshot{Version: 1, PolicyVersion: 1,
		Services: map[string][]controlplane.Instance{"payment": {{ID: "payment-1", Service: "payment",
			Addr: up.Listener.Addr().String(), Labels: map[string]string{"app": "payment"}, Ready: true}}},
		Policy: &policy.MeshPolicy{Spec: policy.Spec{Services: map[string]policy.ServicePolicy{"payment": sp}}}})
	return p
}

// gatewayTarget is a gateway-like process: a public side in front of a real proxy whose
// payment calls always get 503 and are retried twice; 3 requests, one rate limited.
func gatewayTarget(t *testing.T, c *http.Client) string {
	t.Helper()
	m := telemetry.New("gateway", "gateway")
	opts := proxy.Options{Request: []proxy.Middleware{m.Outbound("gateway")}}
	reg := proxy.NewRegistry()
	reg.Apply(&opts)
	m.WatchProxy(reg)
	p := failingPayment(t, opts, policy.ServicePolicy{
		RoutePolicy: policy.RoutePolicy{Retries: &policy.RetryPolicy{Attempts: 2, RetryOn: []string{"5xx"}, NonIdempotent: true}}})
	pub := httptest.NewServer(m.Middleware(telemetry.Side{Name: adminapi.SidePublic, Source: telemetry.Const("client")})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.Serve(w, r, p.RouteFor("payment", r)) })))
	t.Cleanup(pub.Close)
	for range 3 {
		send(t, c, http.MethodPost, pub.URL+"/payments", "")
	}
	m.RateLimited(nil, "POST /payments")
	return adminTarget(t, m)
}

// sidecarTarget is a sidecar-like process: 4 inbound requests, 1 answered 500, and the
// authz and mTLS counts of other packages.
func sidecarTarget(t *testing.T, c *http.Client) string {
	t.Helper()
	m := telemetry.New("sidecar", "user-1")
	n := 0
	in := httptest.NewServer(m.Middleware(telemetry.Side{Name: adminapi.SideInbound})(
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if n++; n == 1 {
				w.WriteHeader(http.StatusInternalServerError)
			}
		})))
	t.Cleanup(in.Close)
	for range 4 {
		send(t, c, http.MethodGet, in.URL+"/users/1", "")
	}
	m.WatchCounter(adminapi.NameAuthzDenied, "Requests refused by authorization.", "",
		func() map[string]float64 { return map[string]float64{"": 5} })
	m.WatchCounter(adminapi.NameMTLSFailures, "Failed mTLS handshakes.", "",
		func() map[string]float64 { return map[string]float64{"": 1} })
	return adminTarget(t, m)
}

// adminsOf names each admin address as a sidecar's target.
func adminsOf(admins ...string) []clusters.MetricsTarget {
	out := make([]clusters.MetricsTarget, len(admins))
	for i, a := range admins {
		out[i] = targetAt(fmt.Sprintf("w-%d", i), a)
	}
	return out
}

func TestScrapeMeshSumsCountersOverTargets(t *testing.T) {
	t.Parallel()
	c := &http.Client{Timeout: 10 * time.Second}
	targets := adminsOf(gatewayTarget(t, c), sidecarTarget(t, c))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	got, err := scrapeMesh(ctx, targets)
	require.NoError(t, err)
	want := map[string]float64{
		"requests": 3, "requests_5xx": 3, "tries": 9, "retries": 6,
		"requests_public": 3, "requests_public_5xx": 3, "requests_inbound": 4, "requests_inbound_5xx": 1,
		"retry_budget_exhausted": 0, "ejections": 0, "overflows": 0,
		"rate_limited": 1, "authz_denied": 5, "mtls_failures": 1,
	}
	assert.Equal(t, want, got)
}

func TestScrapeMeshKeepsWhatAnsweredAndNamesWhatFailed(t *testing.T) {
	t.Parallel()
	c := &http.Client{Timeout: 10 * time.Second}
	dead := proctest.DeadAddrFor(t)
	live := sidecarTarget(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	got, err := scrapeMesh(ctx, adminsOf(live, dead))
	require.Error(t, err)
	assert.Contains(t, err.Error(), dead)
	assert.NotContains(t, err.Error(), live)
	assert.Equal(t, 4.0, got["requests_inbound"])
	assert.Equal(t, 5.0, got["authz_denied"])

	_, err = scrapeMesh(ctx, []clusters.MetricsTarget{targetWithToken("w-0", live, "wrong")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "401")
}
