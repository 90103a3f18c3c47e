package proxy

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/policy"
)

func TestOutlierEjection(t *testing.T) {
	t.Parallel()
	for _, lb := range []string{policy.RoundRobin, policy.LeastRequest, policy.Random} {
		t.Run(lb, func(t *testing.T) {
			t.Parallel()
			bad := newBackend(t, "bad", unavailable)
			good1, good2 := newBackend(t, "good1", nil), newBackend(t, "good2", nil)
			clock := newFakeClock()
			reg := NewRegistry(WithClock(clock.Now))
			const k, base = 3, time.Minute
			eff := &policy.Effective{Service: "svc", LoadBalancer: &policy.LoadBalancer{Simple: lb},
				OutlierDetection: &policy.OutlierDetection{Consecutive5xxErrors: k, Interval: dur(time.Second),
					BaseEjectionTime: dur(base), MaxEjectionPercent: 50}}
			url := policyFront(t, reg, eff, bad.instance("svc"), good1.instance("svc"), good2.instance("svc"))

			failsUntilEjected := func() int {
				fails := 0
				for i := 0; i < 500 && len(reg.Stats().Services["svc"].Ejected) == 0; i++ {
					if meshtest.Get(t, url).Code != http.StatusOK {
						fails++
					}
				}
				return fails
			}
			require.Equal(t, k, failsUntilEjected(), "ejected after exactly K errors in a row")
			s := reg.Stats().Services["svc"]
			require.Equal(t, []string{"bad"}, s.Ejected)
			require.Len(t, s.Ejections, 1)
			assert.Equal(t, base, s.Ejections[0].Duration)
			for range 60 {
				assert.Equal(t, http.StatusOK, meshtest.Get(t, url).Code, "no traffic to the ejected endpoint")
			}
			assert.Equal(t, k, bad.count())

			clock.Advance(base + time.Second) // the next interval tick after the ejection time
			assert.Equal(t, k, failsUntilEjected(), "back after the ejection time, ejected again")
			s = reg.Stats().Services["svc"]
			require.Len(t, s.Ejections, 2)
			assert.Equal(t, 2*base, s.Ejections[1].Duration, "second ejection lasts twice as long")
			assert.Equal(t, 2, s.Ejections[1].Count)
			clock.Advance(base + time.Second)
			assert.Equal(t, []string{"bad"}, reg.Stats().Services["svc"].Ejected, "still out after 1× base")
			clock.Advance(base)
			assert.Empty(t, reg.Stats().Services["svc"].Ejected, "back after 2× base")

			// Each Interval back in rotation takes one off the multiplier (Envoy): after a
			// long healthy spell the next ejection lasts the base time again.
			clock.Advance(10 * time.Second)
			assert.Equal(t, k, failsUntilEjected())
			s = reg.Stats().Services["svc"]
			require.Len(t, s.Ejections, 3)
			assert.Equal(t, base, s.Ejections[2].Duration, "multiplier decayed to zero")
			assert.Equal(t, 1, s.Ejections[2].Count)
			// One healthy tick between the return and the next streak: 1 − 1 + 1.
			clock.Advance(base + 2*time.Second)
			require.Empty(t, reg.Stats().Services["svc"].Ejected)
			assert.Equal(t, k, failsUntilEjected())
			s = reg.Stats().Services["svc"]
			require.Len(t, s.Ejections, 4)
			assert.Equal(t, 1, s.Ejections[3].Count, "one tick back in rotation took one off")
		})
	}
}

func TestOutlierMaxEjectionPercent(t *testing.T) {
	t.Parallel()
	var o outlier
	o.start, o.eps = time.Unix(0, 0), map[string]*epHealth{}
	od := &policy.OutlierDetection{ConsecutiveGatewayErrors: 1, MaxEjectionPercent: 10}
	now := time.Unix(5, 0)
	_, ej := o.observe("a", 3, od, outcome{is5xx: true, isGateway: true}, now)
	assert.True(t, ej, "0% ejected < 10%: one may go")
	_, ej = o.observe("b", 3, od, outcome{is5xx: true, isGateway: true}, now)
	assert.False(t, ej, "33% ejected ≥ 10%: no more")
	_, ej = o.observe("c", 3, od, outcome{is5xx: true}, now)
	assert.False(t, ej, "a 500 is no gateway error")
	eps := []*Endpoint{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	assert.Equal(t, eps[1:], o.healthy(eps, now))
	assert.Equal(t, eps[:1], o.healthy(eps[:1], now), "all ejected: all (panic mode)")
}

func TestOutlierKeyAffinitySkipsEjected(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	reg := NewRegistry(WithClock(clock.Now))
	st := &callState{reg: reg, svc: reg.service("svc")}
	c := &Cluster{Service: "svc"}
	for _, id := range []string{"a", "b", "c"} {
		c.Endpoints = append(c.Endpoints, &Endpoint{ID: id, hash: mix64(hashString(id))})
	}
	od := &policy.OutlierDetection{Consecutive5xxErrors: 1, MaxEjectionPercent: 50}
	eff := &policy.Effective{Service: "svc", OutlierDetection: od}
	call := &Call{Route: Route{Service: "svc", Policy: eff}, Key: "order-1"}
	first := st.pick(c, call)
	_, ej := st.svc.outlier.observe(first.ID, 3, od, outcome{is5xx: true}, clock.Now())
	require.True(t, ej)
	call = &Call{Route: Route{Service: "svc", Policy: eff}, Key: "order-1"}
	assert.NotEqual(t, first.ID, st.pick(c, call).ID)
}
