package proxy

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/policy"
)

func TestLeastRequestPrefersLessLoaded(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var g gauge
	busy := newBackend(t, "busy", held(&g, release))
	idle := newBackend(t, "idle", nil)
	eff := &policy.Effective{Service: "svc", LoadBalancer: &policy.LoadBalancer{Simple: policy.LeastRequest}}
	url := policyFront(t, NewRegistry(), eff, busy.instance("svc"), idle.instance("svc"))

	// Send requests one at a time until one is held by "busy": it then has one in flight.
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(release)
	for i := 0; i < 100 && g.cur.Load() == 0; i++ {
		done := make(chan struct{})
		wg.Go(func() { defer close(done); meshtest.Get(t, url) })
		waitFor(t, func() bool { return g.cur.Load() == 1 || isClosed(done) })
	}
	require.Equal(t, int64(1), g.cur.Load())
	before := idle.count()
	for range 50 {
		assert.Equal(t, "idle", meshtest.Get(t, url).Body)
	}
	assert.Equal(t, before+50, idle.count(), "every request to the endpoint with fewer in flight")
	assert.Equal(t, 1, busy.count())
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func TestRandomCoversAll(t *testing.T) {
	t.Parallel()
	var eps [3]*backend
	for i := range eps {
		eps[i] = newBackend(t, string(rune('a'+i)), nil)
	}
	eff := &policy.Effective{Service: "svc", LoadBalancer: &policy.LoadBalancer{Simple: policy.Random}}
	url := policyFront(t, NewRegistry(), eff, eps[0].instance("svc"), eps[1].instance("svc"), eps[2].instance("svc"))
	const n = 300
	parallel(n, 4, func(int) { meshtest.Get(t, url) })
	for _, b := range eps {
		assert.InDelta(t, n/3, b.count(), 50, b.name) // σ ≈ 8
	}
}

func TestSplitWeightsAndHeaderMatch(t *testing.T) {
	t.Parallel()
	v1a, v1b, v2 := newBackend(t, "v1a", nil), newBackend(t, "v1b", nil), newBackend(t, "v2", nil)
	eff := &policy.Effective{Service: "svc",
		Subsets: []policy.Subset{{Name: "stable", Labels: map[string]string{"version": "v1"}},
			{Name: "canary", Labels: map[string]string{"version": "v2"}}},
		Split: &policy.Split{
			Match:   []policy.HeaderRoute{{Headers: map[string]string{"X-Canary": "yes"}, Subset: "canary"}},
			Weights: []policy.WeightedSubset{{Subset: "stable", Weight: 90}, {Subset: "canary", Weight: 10}}}}
	url := policyFront(t, NewRegistry(), eff,
		labeled(v1a, map[string]string{"version": "v1"}), labeled(v1b, map[string]string{"version": "v1"}),
		labeled(v2, map[string]string{"version": "v2"}))
	const n = 5000
	var failed atomic.Int64
	parallel(n, 8, func(int) {
		if meshtest.Get(t, url).Code != http.StatusOK {
			failed.Add(1)
		}
	})
	require.Zero(t, failed.Load())
	canary := 100 * float64(v2.count()) / n
	assert.InDelta(t, 10, canary, 2, "canary share in points") // σ ≈ 0.42 points
	assert.InDelta(t, v1a.count(), v1b.count(), 200, "the stable subset is balanced")

	before := v2.count()
	for range 50 {
		a := meshtest.Do(t, http.MethodGet, url, "", http.Header{"X-Canary": {"yes"}})
		assert.Equal(t, "v2", a.Body, "the header match overrides the weights")
	}
	assert.Equal(t, before+50, v2.count())
}

func TestSplitInjectedRand(t *testing.T) {
	t.Parallel()
	ws := []policy.WeightedSubset{{Subset: "a", Weight: 90}, {Subset: "b", Weight: 10}}
	assert.Equal(t, "a", weightedSubset(ws, func() float64 { return 0.899 }))
	assert.Equal(t, "b", weightedSubset(ws, func() float64 { return 0.9 }))
	assert.Empty(t, weightedSubset(nil, func() float64 { return 0.5 }))
	st := &callState{}
	err := st.chooseSubset(&policy.Effective{Split: &policy.Split{Weights: ws}}, http.Header{}, func() float64 { return 0 })
	var e *Error
	require.ErrorAs(t, err, &e, "an undefined subset fails the call")
	assert.Equal(t, http.StatusServiceUnavailable, e.Status)
}
