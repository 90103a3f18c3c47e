package sidecar

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
)

func dur(s string) policy.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return policy.Duration{Duration: d}
}

// timeoutPolicy sets the timeout of every service.
func timeoutPolicy(timeout string) *policy.MeshPolicy {
	return &policy.MeshPolicy{Spec: policy.Spec{Services: map[string]policy.ServicePolicy{
		"*": {RoutePolicy: policy.RoutePolicy{Timeout: dur(timeout)}},
	}}}
}

// snapshotOf lists pods, with a policy.
func snapshotOf(version uint64, doc *policy.MeshPolicy, policyVersion uint64, pods ...*pod) controlplane.Snapshot {
	snap := controlplane.Snapshot{Version: version, Services: map[string][]controlplane.Instance{},
		Policy: doc, PolicyVersion: policyVersion}
	for _, p := range pods {
		snap.Services[p.service] = append(snap.Services[p.service], p.instance())
	}
	return snap
}

// TestPolicyFromTheControlPlane runs a real control plane: a PUT reaches the sidecar's
// /v1/policy within a second.
func TestPolicyFromTheControlPlane(t *testing.T) {
	t.Parallel()
	cp := controlplane.NewServer(controlplane.ServerOptions{Token: testToken, Logger: meshtest.Logger(t)})
	cpURL := meshtest.Serve(t, cp.Handler())
	p := startPod(t, Config{Service: "order", Instance: "order-1"}, named("order-1"))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	client := controlplane.NewClient(cpURL, meshtest.Logger(t))
	go client.Watch(ctx, p.sc.Update)

	for _, attempts := range []int{3, 1} {
		doc := policy.MeshPolicy{Spec: policy.Spec{Services: map[string]policy.ServicePolicy{
			"payment": {RoutePolicy: policy.RoutePolicy{Retries: &policy.RetryPolicy{Attempts: attempts}}}}}}
		sent := time.Now()
		v, err := client.PutPolicy(ctx, testToken, doc)
		require.NoError(t, err)
		var view controlplane.PolicyView
		for deadline := time.Now().Add(wait); view.Version != v; time.Sleep(10 * time.Millisecond) {
			require.True(t, time.Now().Before(deadline), "policy %d never reached the sidecar", v)
			do(t, "GET", p.admin.URL+"/v1/policy", "", "", tokenHeader()).Decode(t, &view)
		}
		assert.Less(t, time.Since(sent), time.Second, "policy reached the sidecar late")
		assert.Equal(t, attempts, view.Policy.Spec.Services["payment"].Retries.Attempts)
		var cfg configView
		do(t, "GET", p.admin.URL+"/v1/config", "", "", tokenHeader()).Decode(t, &cfg)
		assert.Equal(t, v, cfg.PolicyVersion)
		assert.NotZero(t, cfg.SnapshotVersion)
	}
	assert.Equal(t, http.StatusUnauthorized, do(t, "GET", p.admin.URL+"/v1/policy", "", "", nil).Code)
}

// TestPolicyKeptWithoutAVersion: a snapshot of a control plane that lost the policy keeps it.
func TestPolicyKeptWithoutAVersion(t *testing.T) {
	t.Parallel()
	p := startPod(t, Config{Service: "order", Instance: "order-1"}, named("order-1"))
	p.sc.Update(snapshotOf(1, timeoutPolicy("1s"), 7))
	p.sc.Update(snapshotOf(2, nil, 0))
	doc, v := p.sc.Policy()
	assert.Equal(t, uint64(7), v)
	assert.Equal(t, time.Second, doc.Spec.Services["*"].Timeout.Duration)
}

// routeRecorder is an outbound request middleware keeping each call's Route.
type routeRecorder struct {
	mu  sync.Mutex
	got []proxy.Route
}

func (rr *routeRecorder) middleware(next http.RoundTripper) http.RoundTripper {
	return proxy.RoundTripFunc(func(req *http.Request) (*http.Response, error) {
		rr.mu.Lock()
		rr.got = append(rr.got, proxy.CallOf(req).Route)
		rr.mu.Unlock()
		return next.RoundTrip(req)
	})
}

func (rr *routeRecorder) last() proxy.Route {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return rr.got[len(rr.got)-1]
}

func TestEffectivePolicyPerRoute(t *testing.T) {
	t.Parallel()
	var rr routeRecorder
	caller := startPod(t, Config{Service: "order", Instance: "order-1", Timeout: 4 * time.Second, Retries: 1,
		OutboundRequest: []proxy.Middleware{rr.middleware}}, named("order-1"))
	pay := startPod(t, Config{Service: "payment", Instance: "payment-1"}, named("payment-1"))
	user := startPod(t, Config{Service: "user", Instance: "user-1"}, named("user-1"))
	doc := &policy.MeshPolicy{Spec: policy.Spec{Services: map[string]policy.ServicePolicy{"payment": {
		RoutePolicy: policy.RoutePolicy{Timeout: dur("2s")},
		Routes: map[string]policy.RoutePolicy{
			"POST /payments":      {Timeout: dur("300ms"), Retries: &policy.RetryPolicy{Attempts: 2}},
			"GET /payments/{id}":  {Retries: &policy.RetryPolicy{Attempts: 0}},
			"/payments/{id}/refs": {Timeout: dur("1s")},
		}}}}}
	caller.sc.Update(snapshotOf(1, doc, 5, pay, user))

	tests := []struct {
		name, method, path, host string
		route                    string
		timeout                  time.Duration
		retries                  int
	}{
		{"route override", "POST", "/payments", "payment", "POST /payments", 300 * time.Millisecond, 2},
		{"wildcard keeps the service timeout", "GET", "/payments/42", "payment", "GET /payments/{id}", 2 * time.Second, 0},
		{"any method", "DELETE", "/payments/42/refs", "payment", "/payments/{id}/refs", time.Second, 1},
		{"service default", "GET", "/payments", "payment", "", 2 * time.Second, 1},
		{"unlisted service: the sidecar's defaults", "GET", "/users/1", "user", "", 4 * time.Second, 1},
	}
	for _, tt := range tests {
		for range 2 { // the second call is served from the cache
			a := do(t, tt.method, caller.out.URL+tt.path+"?q=1", tt.host, "", nil)
			require.Equal(t, http.StatusOK, a.Code, "%s: %s", tt.name, a.Body)
			got := rr.last()
			require.NotNil(t, got.Policy, tt.name)
			assert.Equal(t, tt.route, got.Policy.Route, tt.name)
			assert.Equal(t, tt.host, got.Policy.Service, tt.name)
			assert.Equal(t, uint64(5), got.Policy.Version, tt.name)
			assert.Equal(t, tt.timeout, got.Timeout, tt.name)
			assert.Equal(t, tt.retries, got.Retries, tt.name)
		}
	}
}

// slowApp answers after ?sleep=<duration>, and tells started about each request.
func slowApp(started chan<- struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, _ := time.ParseDuration(r.URL.Query().Get("sleep"))
		if started != nil {
			started <- struct{}{}
		}
		select {
		case <-time.After(d):
		case <-r.Context().Done():
		}
		w.Write([]byte("done"))
	})
}

// TestTimeoutChangeSparesRequestsInFlight: a request started under a 5 s timeout finishes
// after the policy drops the timeout to 200 ms; the next request gets 200 ms.
func TestTimeoutChangeSparesRequestsInFlight(t *testing.T) {
	t.Parallel()
	started := make(chan struct{}, 4)
	caller := startPod(t, Config{Service: "order", Instance: "order-1"}, named("order-1"))
	slow := startPod(t, Config{Service: "slow", Instance: "slow-1"}, slowApp(started))
	caller.sc.Update(snapshotOf(1, timeoutPolicy("5s"), 1, slow))

	inflight := make(chan meshtest.Answer, 1)
	go func() { inflight <- do(t, "GET", caller.out.URL+"/x?sleep=1s", "slow", "", nil) }()
	select {
	case <-started:
	case <-time.After(wait):
		t.Fatal("the first request never reached the app")
	}
	caller.sc.Update(snapshotOf(2, timeoutPolicy("200ms"), 2, slow))

	begin := time.Now()
	next := do(t, "GET", caller.out.URL+"/x?sleep=3s", "slow", "", nil)
	assert.Equal(t, http.StatusGatewayTimeout, next.Code, next.Body)
	assert.Less(t, time.Since(begin), 2*time.Second, "the new timeout did not apply")
	first := <-inflight
	assert.Equal(t, http.StatusOK, first.Code, "the request in flight kept its timeout: %s", first.Body)
	assert.Equal(t, "done", first.Body)
}

// TestPolicyChurnFailsNoRequest swaps policies every few milliseconds under steady traffic.
func TestPolicyChurnFailsNoRequest(t *testing.T) {
	t.Parallel()
	caller := startPod(t, Config{Service: "order", Instance: "order-1"}, named("order-1"))
	pods := []*pod{
		startPod(t, Config{Service: "slow", Instance: "slow-1"}, slowApp(nil)),
		startPod(t, Config{Service: "slow", Instance: "slow-2"}, slowApp(nil)),
	}
	caller.sc.Update(snapshotOf(1, timeoutPolicy("3s"), 1, pods...))

	stop := make(chan struct{})
	var sent, failed atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				a := do(t, "POST", caller.out.URL+"/x?sleep=5ms", "slow", "body", nil)
				sent.Add(1)
				if a.Code != http.StatusOK {
					failed.Add(1)
					t.Logf("failed: %d %s", a.Code, a.Body)
				}
			}
		})
	}
	timeouts := []string{"2s", "3s", "4s"}
	for i := range 100 {
		doc := timeoutPolicy(timeouts[i%3])
		sp := doc.Spec.Services["*"]
		sp.Retries = &policy.RetryPolicy{Attempts: i % 3}
		sp.Routes = map[string]policy.RoutePolicy{"POST /x": {Timeout: dur(timeouts[(i+1)%3])}}
		doc.Spec.Services["*"] = sp
		caller.sc.Update(snapshotOf(uint64(i+2), doc, uint64(i+2), pods...))
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	assert.Zero(t, failed.Load(), "of %d requests", sent.Load())
	assert.Greater(t, sent.Load(), int64(20))
	_, v := caller.sc.Policy()
	assert.Equal(t, uint64(101), v)
}
