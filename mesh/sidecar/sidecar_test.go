package sidecar

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/proctest"
	"github.com/meshlab/meshlab/mesh/proxy"
)

func TestNewValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		errs []string
	}{
		{"ok", Config{Service: "user", Instance: "user-1"}, nil},
		{"ok with app", Config{Service: "user", Instance: "user-1", App: "127.0.0.1:8080"}, nil},
		{"everything wrong", Config{Timeout: -1, Retries: -1, App: "nope"},
			[]string{"service is empty", "instance is empty", "timeout", "retries", `app: "nope"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tt.cfg)
			if tt.errs == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, e := range tt.errs {
				assert.ErrorContains(t, err, e)
			}
		})
	}
}

func TestOutboundRoutesByHost(t *testing.T) {
	t.Parallel()
	client := startPod(t, Config{Service: "order", Instance: "order-1"}, nil)
	u1 := startPod(t, Config{Service: "user", Instance: "user-1"}, named("user-1"))
	u2 := startPod(t, Config{Service: "user", Instance: "user-2"}, named("user-2"))
	p1 := startPod(t, Config{Service: "payment", Instance: "payment-1"}, named("payment-1"))

	a := do(t, "GET", client.out.URL+"/users/1", "user", "", nil)
	assert.Equal(t, http.StatusServiceUnavailable, a.Code, "no snapshot yet")
	assert.Equal(t, proxy.ReasonNoEndpoints, a.Header.Get(proxy.ReasonHeader))

	publish(1, []*pod{client}, u1, u2, p1)
	seen := map[string]int{}
	for range 4 {
		a := do(t, "GET", client.out.URL+"/users/1", "user:8080", "", nil)
		require.Equal(t, http.StatusOK, a.Code)
		seen[a.Body]++
	}
	assert.Equal(t, map[string]int{"user-1": 2, "user-2": 2}, seen)
	assert.Equal(t, "payment-1", do(t, "POST", client.out.URL+"/payments", "Payment", "{}", nil).Body)

	a = do(t, "GET", client.out.URL+"/x", "nope", "", nil)
	assert.Equal(t, http.StatusNotFound, a.Code)
	assert.Equal(t, "application/json", a.Header.Get("Content-Type"))
	assert.Equal(t, proxy.ReasonUnknownService, a.Header.Get(proxy.ReasonHeader))
	assert.JSONEq(t, `{"error":"unknown service \"nope\""}`, a.Body)
}

func TestInbound(t *testing.T) {
	t.Parallel()
	t.Run("forwards to the app", func(t *testing.T) {
		t.Parallel()
		p := startPod(t, Config{Service: "user", Instance: "user-1"}, named("user-1"))
		a := do(t, "GET", p.in.URL+"/users/1", "user", "", http.Header{"X-Request-Id": {"r1"}})
		assert.Equal(t, http.StatusOK, a.Code)
		assert.Equal(t, "user-1", a.Body)
	})
	for _, tc := range []struct {
		name string
		app  func(t testing.TB) string
	}{
		{"app unset", func(testing.TB) string { return "" }},
		{"app refuses connections", proctest.DeadAddrFor},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := startPod(t, Config{Service: "user", Instance: "user-1", App: tc.app(t)}, nil)
			start := time.Now()
			a := do(t, "GET", p.in.URL+"/users/1", "user", "", http.Header{"X-Request-Id": {"r1"}})
			took := time.Since(start)
			assert.Equal(t, http.StatusServiceUnavailable, a.Code)
			assert.Equal(t, ReasonAppUnavailable, a.Header.Get(proxy.ReasonHeader))
			assert.Equal(t, "application/json", a.Header.Get("Content-Type"))
			assert.Equal(t, "r1", a.Header.Get("X-Request-Id"))
			assert.Less(t, took, proxy.DialTimeout, "a refusal, not a connect timeout")
		})
	}
}

// TestProbeApp: the sidecar learns its app's readiness by probing it, as a kubelet's readiness
// probe does — ready once it accepts connections, not ready once it stops, ready again when it
// is back on its port — and an inbound request the app refuses takes it out before the next
// probe.
func TestProbeApp(t *testing.T) {
	t.Parallel()
	app := newStoppableApp(t)
	p := startPod(t, Config{Service: "user", Instance: "user-1", App: app.addr, AppProbe: 10 * time.Millisecond}, nil)
	var f flips
	p.sc.OnAppChange(f.record)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.sc.ProbeApp(ctx)

	require.Eventually(t, p.sc.AppReady, wait, time.Millisecond, "ready once the app accepts")
	assert.Equal(t, "app", do(t, "GET", p.in.URL, "", "", nil).Body)
	app.stop()
	require.Eventually(t, func() bool { return !p.sc.AppReady() }, wait, time.Millisecond, "not ready once it stops")
	assert.Equal(t, http.StatusServiceUnavailable, do(t, "GET", p.in.URL, "", "", nil).Code)
	app.start()
	require.Eventually(t, p.sc.AppReady, wait, time.Millisecond, "ready again when it is back")
	assert.Equal(t, []bool{true, false, true}, f.all())

	// A refused inbound request takes the instance out at once, before the next probe.
	slow := newStoppableApp(t)
	q := startPod(t, Config{Service: "user", Instance: "user-2", App: slow.addr, AppProbe: time.Hour}, nil)
	go q.sc.ProbeApp(ctx)
	require.Eventually(t, q.sc.AppReady, wait, time.Millisecond)
	slow.stop()
	assert.Equal(t, http.StatusServiceUnavailable, do(t, "GET", q.in.URL, "", "", nil).Code)
	assert.False(t, q.sc.AppReady(), "a refusal is a failed probe")
}

// stoppableApp serves named("app") on a fixed loopback address it can stop and start again,
// as a service process restarted on its container port.
type stoppableApp struct {
	t    *testing.T
	addr string
	srv  *http.Server
}

func newStoppableApp(t *testing.T) *stoppableApp {
	a := &stoppableApp{t: t, addr: "127.0.0.1:0"}
	a.start()
	t.Cleanup(a.stop)
	return a
}

func (a *stoppableApp) start() {
	ln, err := net.Listen("tcp", a.addr)
	require.NoError(a.t, err)
	a.addr = ln.Addr().String()
	a.srv = &http.Server{Handler: named("app")}
	go a.srv.Serve(ln)
}

func (a *stoppableApp) stop() { a.srv.Close() }

// hangUp closes the connection without an answer, as a process dying mid-request does.
var hangUp = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
	}
})

func TestInboundAppReset(t *testing.T) {
	t.Parallel()
	p := startPod(t, Config{Service: "user", Instance: "user-1"}, hangUp)
	a := do(t, "GET", p.in.URL+"/users/1", "user", "", nil)
	assert.Equal(t, http.StatusServiceUnavailable, a.Code)
	assert.Equal(t, ReasonAppReset, a.Header.Get(proxy.ReasonHeader))
}

// TestRetryAcrossSidecars: the caller's sidecar takes an inbound 503 of a sick instance as a
// reason to try another for idempotent requests.
func TestRetryAcrossSidecars(t *testing.T) {
	t.Parallel()
	caller := startPod(t, Config{Service: "order", Instance: "order-1", Retries: 1}, nil)
	tests := []struct {
		name string
		sick *pod
	}{
		{"app down", startPod(t, Config{Service: "user", Instance: "user-1"}, nil)},
		{"app resets", startPod(t, Config{Service: "user", Instance: "user-1"}, hangUp)},
	}
	for i, tt := range tests { // in turn: the caller's table changes
		healthy := startPod(t, Config{Service: "user", Instance: "user-2"}, named("user-2"))
		publish(uint64(i+1), []*pod{caller}, tt.sick, healthy)
		for range 4 {
			a := do(t, "GET", caller.out.URL+"/users/1", "user", "", nil)
			assert.Equal(t, http.StatusOK, a.Code, "%s: %s", tt.name, a.Body)
			assert.Equal(t, "user-2", a.Body, tt.name)
		}
		a := do(t, "POST", caller.out.URL+"/users", "user", "{}", nil)
		if a.Code != http.StatusOK { // round robin: half the POSTs meet the sick instance
			a = do(t, "POST", caller.out.URL+"/users", "user", "{}", nil)
		}
		assert.Equal(t, http.StatusOK, a.Code)
		b := do(t, "POST", caller.out.URL+"/users", "user", "{}", nil)
		assert.Equal(t, http.StatusServiceUnavailable, b.Code, "%s: a POST without a key is not retried", tt.name)
	}
}
