package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/gateway"
	"github.com/meshlab/meshlab/mesh/policy"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// policyBox holds a swappable gateway policy.
type policyBox struct {
	p atomic.Pointer[policy.GatewayPolicy]
}

func (b *policyBox) get() *policy.GatewayPolicy { return b.p.Load() }

func newBox(p policy.GatewayPolicy) *policyBox {
	b := &policyBox{}
	b.p.Store(&p)
	return b
}

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })

func serve(h http.Handler, method, path, key, remote string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	if key != "" {
		r.Header.Set(gateway.HeaderAPIKey, key)
	}
	if remote != "" {
		r.RemoteAddr = remote
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestRateLimitTwiceTheRateHalfRefused(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{now: time.Unix(1000, 0)}
	box := newBox(policy.GatewayPolicy{RateLimits: []policy.RateLimit{{Route: "GET /products", RequestsPerSecond: 10}}})
	h := (&gateway.RateLimiter{Policy: box.get, Now: clk.Now}).Wrap(okHandler)
	ok, limited := 0, 0
	for range 400 { // 20 s at 20 rps
		w := serve(h, "GET", "/products", "", "")
		switch w.Code {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			limited++
			assert.Equal(t, "1", w.Header().Get("Retry-After"))
			assert.Equal(t, gateway.ReasonRateLimited, w.Header().Get("X-Meshlab-Reason"))
			assert.Contains(t, w.Body.String(), `"error"`)
		}
		clk.Add(50 * time.Millisecond)
	}
	assert.InDelta(t, 210, ok, 2, "burst 10 + 10/s over 20 s")
	assert.Equal(t, 400, ok+limited)
	// Another route is not limited.
	assert.Equal(t, http.StatusOK, serve(h, "GET", "/users/1", "", "").Code)
}

func TestRateLimitRetryAfterFromBucket(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{now: time.Unix(1000, 0)}
	box := newBox(policy.GatewayPolicy{RateLimits: []policy.RateLimit{{Route: "*", RequestsPerSecond: 0.1}}})
	h := (&gateway.RateLimiter{Policy: box.get, Now: clk.Now}).Wrap(okHandler)
	require.Equal(t, http.StatusOK, serve(h, "GET", "/x", "", "").Code, "burst is max(1, rps)")
	w := serve(h, "GET", "/x", "", "")
	require.Equal(t, http.StatusTooManyRequests, w.Code)
	assert.Equal(t, "10", w.Header().Get("Retry-After"))
	clk.Add(7500 * time.Millisecond)
	w = serve(h, "GET", "/x", "", "")
	assert.Equal(t, "3", w.Header().Get("Retry-After"), "2.5 s rounds up")
	clk.Add(2500 * time.Millisecond)
	assert.Equal(t, http.StatusOK, serve(h, "GET", "/x", "", "").Code)
}

func TestRateLimitPerClient(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{now: time.Unix(1000, 0)}
	box := newBox(policy.GatewayPolicy{RateLimits: []policy.RateLimit{
		{Route: "POST /orders", RequestsPerSecond: 1, Burst: 3, PerClient: true}}})
	h := (&gateway.RateLimiter{Policy: box.get, Now: clk.Now}).Wrap(okHandler)
	for range 3 {
		require.Equal(t, http.StatusOK, serve(h, "POST", "/orders", "alice", "10.0.0.1:5").Code)
	}
	assert.Equal(t, http.StatusTooManyRequests, serve(h, "POST", "/orders", "alice", "10.0.0.2:5").Code, "keyed by API key")
	assert.Equal(t, http.StatusOK, serve(h, "POST", "/orders", "bob", "10.0.0.1:5").Code, "another key is unaffected")
	for range 3 {
		require.Equal(t, http.StatusOK, serve(h, "POST", "/orders", "", "10.0.0.9:5").Code)
	}
	assert.Equal(t, http.StatusTooManyRequests, serve(h, "POST", "/orders", "", "10.0.0.9:6").Code, "keyed by IP")
	assert.Equal(t, http.StatusOK, serve(h, "POST", "/orders", "", "10.0.0.8:6").Code)
}

func TestRateLimitBoundedClients(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{now: time.Unix(1000, 0)}
	box := newBox(policy.GatewayPolicy{RateLimits: []policy.RateLimit{
		{Route: "*", RequestsPerSecond: 0.001, Burst: 1, PerClient: true}}})
	h := (&gateway.RateLimiter{Policy: box.get, Now: clk.Now, MaxClients: 2}).Wrap(okHandler)
	for _, k := range []string{"a", "b"} {
		require.Equal(t, http.StatusOK, serve(h, "GET", "/", k, "").Code)
	}
	require.Equal(t, http.StatusTooManyRequests, serve(h, "GET", "/", "a", "").Code) // a is the most recent now
	require.Equal(t, http.StatusOK, serve(h, "GET", "/", "c", "").Code)              // evicts b
	assert.Equal(t, http.StatusOK, serve(h, "GET", "/", "b", "").Code, "b's bucket was dropped: full again")
	assert.Equal(t, http.StatusOK, serve(h, "GET", "/", "a", "").Code, "then a's (least recent)")
}

func TestRateLimitPolicySwapAppliesAtOnce(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{now: time.Unix(1000, 0)}
	box := newBox(policy.GatewayPolicy{RateLimits: []policy.RateLimit{{Route: "*", RequestsPerSecond: 1}}})
	var limited atomic.Int32
	h := (&gateway.RateLimiter{Policy: box.get, Now: clk.Now,
		OnLimited: func(*http.Request, string) { limited.Add(1) }}).Wrap(okHandler)
	require.Equal(t, http.StatusOK, serve(h, "GET", "/", "", "").Code)
	require.Equal(t, http.StatusTooManyRequests, serve(h, "GET", "/", "", "").Code)
	box.p.Store(&policy.GatewayPolicy{RateLimits: []policy.RateLimit{{Route: "*", RequestsPerSecond: 5}}})
	for range 5 {
		assert.Equal(t, http.StatusOK, serve(h, "GET", "/", "", "").Code, "new policy, new full buckets")
	}
	assert.Equal(t, http.StatusTooManyRequests, serve(h, "GET", "/", "", "").Code)
	box.p.Store(&policy.GatewayPolicy{})
	assert.Equal(t, http.StatusOK, serve(h, "GET", "/", "", "").Code, "no limits")
	assert.EqualValues(t, 2, limited.Load())
}

// TestRateLimitRealTime sends at about twice the limit through a real server: the share
// refused is what the elapsed time allows, within a margin for a busy machine.
func TestRateLimitRealTime(t *testing.T) {
	t.Parallel()
	const rps, n = 50.0, 200
	box := newBox(policy.GatewayPolicy{RateLimits: []policy.RateLimit{{Route: "*", RequestsPerSecond: rps, Burst: 5}}})
	srv := httptest.NewServer(gateway.RateLimit(box.get)(okHandler))
	t.Cleanup(srv.Close)
	tick := time.NewTicker(time.Second / (2 * rps))
	defer tick.Stop()
	start, ok := time.Now(), 0
	for range n {
		<-tick.C
		resp, err := srv.Client().Get(srv.URL + "/products")
		require.NoError(t, err)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			ok++
			continue
		}
		require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
		ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		require.NoError(t, err)
		assert.Equal(t, 1, ra)
	}
	allowed := rps*time.Since(start).Seconds() + 5 // the most the bucket could give
	assert.LessOrEqual(t, float64(ok), allowed+1)
	assert.GreaterOrEqual(t, float64(ok), 0.8*min(allowed, n), "nearly every token is used")
	t.Logf("%d of %d allowed in %v (at most %.0f)", ok, n, time.Since(start), allowed)
}
