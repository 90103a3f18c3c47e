package proxy

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/policy"
)

// policyFront serves a proxy with reg's middlewares on a loopback port, every request routed
// to eff.Service under eff; it returns its URL.
func policyFront(t testing.TB, reg *Registry, eff *policy.Effective, insts ...controlplane.Instance) string {
	opts := Options{Logger: meshtest.Logger(t)}
	reg.Apply(&opts)
	p := New(opts)
	p.Update(snapshot(1, insts...))
	rt := p.Route(eff.Service)
	rt.Policy = eff
	if eff.Timeout > 0 {
		rt.Timeout = eff.Timeout
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.Serve(w, r, rt)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(p.CloseIdleConnections)
	return srv.URL
}

// labeled is b's instance of "svc" with labels.
func labeled(b *backend, labels map[string]string) controlplane.Instance {
	in := b.instance("svc")
	in.Labels = labels
	return in
}

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// gauge tracks a server's requests in flight and their peak.
type gauge struct{ cur, peak atomic.Int64 }

func (g *gauge) enter() {
	n := g.cur.Add(1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (g *gauge) exit() { g.cur.Add(-1) }

// dur is a policy.Duration.
func dur(d time.Duration) policy.Duration { return policy.Duration{Duration: d} }

// parallel runs n calls of f over workers goroutines.
func parallel(n, workers int, f func(i int)) {
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}
