package proxy

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/policy"
)

// held is an upstream that holds every request until release is closed, tracking how many it
// holds.
func held(g *gauge, release <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		g.enter()
		defer g.exit()
		select {
		case <-release:
		case <-time.After(wait):
		}
		w.Write([]byte("ok"))
	}
}

// waitFor polls cond until it holds or wait passes.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, wait, 5*time.Millisecond)
}

func TestBreakerMaxRequests(t *testing.T) {
	t.Parallel()
	var g gauge
	release := make(chan struct{})
	slow := newBackend(t, "slow", held(&g, release))
	eff := &policy.Effective{Service: "svc", Timeout: 5 * time.Second,
		ConnectionPool: &policy.ConnectionPool{MaxRequests: 3}}
	reg := NewRegistry()
	url := policyFront(t, reg, eff, slow.instance("svc"))

	var wg sync.WaitGroup
	held := make([]meshtest.Answer, 3)
	for i := range held {
		wg.Go(func() { held[i] = meshtest.Get(t, url) })
	}
	waitFor(t, func() bool { return g.cur.Load() == 3 })
	for range 7 {
		start := time.Now()
		a := meshtest.Get(t, url)
		assert.Less(t, time.Since(start), time.Second, "overflow fails fast, well under the 5 s timeout")
		assert.Equal(t, http.StatusServiceUnavailable, a.Code)
		assert.Equal(t, ReasonOverflow, a.Header.Get(ReasonHeader))
		assert.Equal(t, OverflowMaxRequests, a.Header.Get(OverflowHeader))
	}
	close(release)
	wg.Wait()
	for _, a := range held {
		assert.Equal(t, http.StatusOK, a.Code)
	}
	assert.Equal(t, int64(3), g.peak.Load(), "in flight never over MaxRequests")
	assert.Equal(t, 3, slow.count())
	assert.Equal(t, map[string]uint64{OverflowMaxRequests: 7}, reg.Stats().Services["svc"].Overflows)
	assert.Equal(t, http.StatusOK, meshtest.Get(t, url).Code, "slots are released")
}

func TestBreakerPending(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		maxPending int
		overflow   string
	}{
		{"max-pending", 2, OverflowMaxPending},
		{"max-connections only: the default queue", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var g gauge
			release := make(chan struct{})
			slow := newBackend(t, "slow", held(&g, release))
			eff := &policy.Effective{Service: "svc", Timeout: 5 * time.Second,
				ConnectionPool: &policy.ConnectionPool{MaxConnections: 2, MaxPendingRequests: tt.maxPending}}
			reg := NewRegistry()
			url := policyFront(t, reg, eff, slow.instance("svc"))
			var wg sync.WaitGroup
			codes := make([]int, 4)
			for i := range codes {
				wg.Go(func() { codes[i] = meshtest.Get(t, url).Code })
			}
			waitFor(t, func() bool { return g.cur.Load() == 2 })
			st := reg.service("svc")
			waitFor(t, func() bool { st.breaker.mu.Lock(); defer st.breaker.mu.Unlock(); return len(st.breaker.waiters) == 2 })
			if tt.overflow != "" {
				a := meshtest.Get(t, url)
				assert.Equal(t, http.StatusServiceUnavailable, a.Code)
				assert.Equal(t, tt.overflow, a.Header.Get(OverflowHeader))
			}
			close(release)
			wg.Wait()
			assert.Equal(t, []int{200, 200, 200, 200}, codes, "pending requests get a connection in turn")
			assert.Equal(t, int64(2), g.peak.Load(), "never more than MaxConnections busy")
		})
	}
}

func TestBreakerDefaultPendingOverflow(t *testing.T) {
	t.Parallel()
	var b breaker
	cp := &policy.ConnectionPool{MaxConnections: 1}
	kind, err := b.acquire(t.Context(), cp)
	require.NoError(t, err)
	require.Empty(t, kind)
	for range DefaultMaxPendingRequests {
		b.waiters = append(b.waiters, make(chan struct{}))
	}
	kind, err = b.acquire(t.Context(), cp)
	require.NoError(t, err)
	assert.Equal(t, OverflowMaxConnections, kind)
}

func TestBreakerPendingBoundedByDeadline(t *testing.T) {
	t.Parallel()
	var g gauge
	release := make(chan struct{})
	defer close(release)
	slow := newBackend(t, "slow", held(&g, release))
	eff := &policy.Effective{Service: "svc", Timeout: 300 * time.Millisecond,
		ConnectionPool: &policy.ConnectionPool{MaxConnections: 1}}
	reg := NewRegistry()
	url := policyFront(t, reg, eff, slow.instance("svc"))
	first := make(chan meshtest.Answer, 1)
	go func() { first <- meshtest.Get(t, url) }()
	waitFor(t, func() bool { return g.cur.Load() == 1 })
	start := time.Now()
	a := meshtest.Get(t, url)
	assert.Equal(t, http.StatusGatewayTimeout, a.Code, "a pending request waits no longer than its timeout (%s: %s)", a.Header.Get(ReasonHeader), a.Body)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Equal(t, http.StatusGatewayTimeout, (<-first).Code)
}
