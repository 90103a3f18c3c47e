package faults_test

import (
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/faults"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
)

func fixed(fs ...policy.Fault) func(*http.Request) []policy.Fault {
	return func(*http.Request) []policy.Fault { return fs }
}

func TestStaticAbort(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	f := policy.Fault{Headers: map[string]string{"x-canary": "1"},
		Abort: &policy.FaultAbort{Percent: 100, HTTPStatus: 503}}
	srv := front(t, up, faults.Static(fixed(f), nil))
	req, _ := http.NewRequest("GET", srv.URL+"/payments", nil)
	req.Header.Set("X-Canary", "1")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, faults.ReasonFaultAbort, resp.Header.Get(proxy.ReasonHeader))
	assert.JSONEq(t, `{"error":"fault injected: abort with 503"}`, string(b))
	assert.Zero(t, up.hits.Load())

	resp, err = http.Get(srv.URL + "/payments") // headers do not match
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestStaticDelay(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	f := policy.Fault{Delay: &policy.FaultDelay{Percent: 100, FixedDelay: policy.Duration{Duration: 150 * time.Millisecond}}}
	start := time.Now()
	resp, err := http.Get(front(t, up, faults.Static(fixed(f), nil)).URL + "/x")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
}

// TestStaticPercentFromRoutePolicy reads the faults from the call's route policy (the default)
// and aborts about 30% of 2,000 requests.
func TestStaticPercentFromRoutePolicy(t *testing.T) {
	t.Parallel()
	const n, p = 2000, 0.3
	eff := &policy.Effective{Service: "payment", Faults: []policy.Fault{{Abort: &policy.FaultAbort{Percent: 30, HTTPStatus: 500}}}}
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(1, 2))
	rnd := func() float64 { mu.Lock(); defer mu.Unlock(); return rng.Float64() }
	upCalls := 0
	up := proxy.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		upCalls++
		return &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
	})
	h := proxy.NewHandler(proxy.Chain(up, faults.Static(nil, rnd)), nil)
	aborted := 0
	for range n {
		w := newRecorder()
		h.Serve(w, mustRequest(t), proxy.Route{Service: "payment", Policy: eff})
		if w.code == 500 {
			aborted++
		}
	}
	sd := math.Sqrt(n * p * (1 - p))
	assert.InDelta(t, n*p, aborted, 4*sd)
	assert.Equal(t, n-aborted, upCalls)
}

func TestAbortConnectionWithoutHijack(t *testing.T) {
	t.Parallel()
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() { faults.AbortConnection(newRecorder()) })
}
