package proxy

import (
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/policy"
)

// flaky answers 503 to a share p of requests.
func flaky(p float64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if rand.Float64() < p {
			unavailable(w, r)
			return
		}
		w.Write([]byte("ok"))
	}
}

func TestPolicyRetryAttempts(t *testing.T) {
	t.Parallel()
	var eps [3]*backend
	for i := range eps {
		eps[i] = newBackend(t, string(rune('a'+i)), flaky(0.3))
	}
	eff := &policy.Effective{Service: "svc", Retries: &policy.RetryPolicy{Attempts: 3,
		RetryOn: []string{"5xx"}, Backoff: &policy.Backoff{BaseInterval: dur(time.Millisecond)}}}
	reg := NewRegistry()
	url := policyFront(t, reg, eff, eps[0].instance("svc"), eps[1].instance("svc"), eps[2].instance("svc"))
	const n = 2000
	var failed atomic.Int64
	parallel(n, 4, func(int) {
		if a := meshtest.Get(t, url); a.Code != http.StatusOK {
			failed.Add(1)
		}
	})
	// Expected 0.3^4 = 0.81% (16 of 2000, σ ≈ 4); without retries it would be 30%.
	assert.LessOrEqual(t, failed.Load(), int64(40), "failures")
	tries := eps[0].count() + eps[1].count() + eps[2].count()
	// Tries per request: 1 + 0.3 + 0.09 + 0.027 ≈ 1.42.
	assert.InDelta(t, 1.42, float64(tries)/n, 0.06)
	s := reg.Stats().Services["svc"]
	assert.Equal(t, uint64(n), s.Requests)
	assert.Equal(t, uint64(tries-n), s.Retries)
}

func TestPolicyRetryBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 3 s of load")
	}
	t.Parallel()
	down := newBackend(t, "down", unavailable)
	eff := &policy.Effective{Service: "svc", Retries: &policy.RetryPolicy{Attempts: 3,
		Budget: &policy.RetryBudget{Percent: 20, MinRetriesPerSecond: 10}}}
	reg := NewRegistry()
	url := policyFront(t, reg, eff, down.instance("svc"))
	const rate, secs = 200, 3
	tick := time.NewTicker(time.Second / rate)
	defer tick.Stop()
	var sent atomic.Int64
	done := make(chan struct{}, rate*secs)
	for range rate * secs {
		<-tick.C
		sent.Add(1)
		go func() { meshtest.Get(t, url); done <- struct{}{} }()
	}
	for range rate * secs {
		<-done
	}
	ratio := float64(down.count()) / float64(sent.Load())
	assert.LessOrEqual(t, ratio, 1+0.2+10.0/rate+0.02, "tries per request")
	assert.Greater(t, ratio, 1.1, "retries happen within the budget")
	s := reg.Stats().Services["svc"]
	assert.Positive(t, s.BudgetExhausted, "exhaustion counted")
	assert.Equal(t, uint64(rate*secs), s.Requests)
}

func TestPolicyRetryPerTryTimeout(t *testing.T) {
	t.Parallel()
	slow := newBackend(t, "slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	})
	eff := &policy.Effective{Service: "svc", Timeout: 500 * time.Millisecond, Retries: &policy.RetryPolicy{
		Attempts: 5, PerTryTimeout: dur(150 * time.Millisecond), RetryOn: []string{"gateway-error"}}}
	url := policyFront(t, NewRegistry(), eff, slow.instance("svc"))
	start := time.Now()
	a := meshtest.Get(t, url)
	took := time.Since(start)
	assert.Equal(t, http.StatusGatewayTimeout, a.Code)
	assert.Equal(t, ReasonTimeout, a.Header.Get(ReasonHeader))
	assert.GreaterOrEqual(t, took, 450*time.Millisecond)
	assert.Less(t, took, 1500*time.Millisecond, "the route timeout ends it, not the upstream's 2 s")
	assert.GreaterOrEqual(t, slow.count(), 2, "per-try timeouts were retried")
}

func TestPolicyRetryIdempotency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		method        string
		key           string
		nonIdempotent bool
		want          int
	}{
		{"POST not retried", http.MethodPost, "", false, 1},
		{"POST with a key", http.MethodPost, "k1", false, 3},
		{"PUT", http.MethodPut, "", false, 3},
		{"DELETE", http.MethodDelete, "", false, 3},
		{"POST with nonIdempotent", http.MethodPost, "", true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			down := newBackend(t, "down", unavailable)
			eff := &policy.Effective{Service: "svc", Retries: &policy.RetryPolicy{Attempts: 2,
				NonIdempotent: tt.nonIdempotent, Backoff: &policy.Backoff{BaseInterval: dur(time.Millisecond)}}}
			url := policyFront(t, NewRegistry(), eff, down.instance("svc"))
			hdr := http.Header{}
			if tt.key != "" {
				hdr.Set(HeaderIdempotencyKey, tt.key)
			}
			a := meshtest.Do(t, tt.method, url, `{"n":1}`, hdr)
			assert.Equal(t, http.StatusServiceUnavailable, a.Code)
			assert.Equal(t, tt.want, down.count())
		})
	}
}

func TestBackoffGrowsWithJitter(t *testing.T) {
	t.Parallel()
	top := func() float64 { return 0.999999 }
	var prev time.Duration
	for n, want := range []time.Duration{25, 50, 100, 200, 250, 250} {
		d := backoff(nil, n+1, top)
		assert.InDelta(t, float64(want*time.Millisecond), float64(d), float64(time.Microsecond), "retry %d", n+1)
		assert.GreaterOrEqual(t, d, prev)
		prev = d
	}
	b := &policy.Backoff{BaseInterval: dur(10 * time.Millisecond), MaxInterval: dur(35 * time.Millisecond)}
	assert.Equal(t, 10*time.Millisecond, backoff(b, 2, func() float64 { return 0.5 }))
	assert.Equal(t, 35*time.Millisecond/2, backoff(b, 9, func() float64 { return 0.5 }))
	seen := map[time.Duration]bool{}
	r := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		d := backoff(nil, 3, r.Float64)
		require.Less(t, d, 100*time.Millisecond)
		seen[d] = true
	}
	assert.Greater(t, len(seen), 40, "full jitter spreads the waits")
}

func TestRetryOnConditions(t *testing.T) {
	t.Parallel()
	resp := func(code int) *http.Response { return &http.Response{StatusCode: code, Header: http.Header{}} }
	overflow := resp(503)
	overflow.Header.Set(ReasonHeader, ReasonOverflow)
	overflow.Header.Set(OverflowHeader, OverflowMaxRequests)
	tests := []struct {
		name    string
		rp      policy.RetryPolicy
		resp    *http.Response
		timeout bool
		want    bool
	}{
		{"default 503", policy.RetryPolicy{}, resp(503), false, true},
		{"default 500", policy.RetryPolicy{}, resp(500), false, false},
		{"5xx 500", policy.RetryPolicy{RetryOn: []string{"5xx"}}, resp(500), false, true},
		{"5xx 404", policy.RetryPolicy{RetryOn: []string{"5xx"}}, resp(404), false, false},
		{"gateway-error 504", policy.RetryPolicy{RetryOn: []string{"gateway-error"}}, resp(504), false, true},
		{"gateway-error 500", policy.RetryPolicy{RetryOn: []string{"gateway-error"}}, resp(500), false, false},
		{"gateway-error per-try timeout", policy.RetryPolicy{RetryOn: []string{"gateway-error"}}, nil, true, true},
		{"reset per-try timeout", policy.RetryPolicy{RetryOn: []string{"reset"}}, nil, true, true},
		{"connect-failure per-try timeout", policy.RetryPolicy{RetryOn: []string{"connect-failure"}}, nil, true, false},
		{"bare code", policy.RetryPolicy{RetryOn: []string{"429"}}, resp(429), false, true},
		{"retriable codes", policy.RetryPolicy{RetryOn: []string{"retriable-status-codes"}, RetriableStatusCodes: []int{409}}, resp(409), false, true},
		{"overflow never", policy.RetryPolicy{RetryOn: []string{"5xx"}}, overflow, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, parseRetryOn(&tt.rp).match(tt.resp, nil, tt.timeout))
		})
	}
}

func TestPolicyRetryAnotherEndpoint(t *testing.T) {
	t.Parallel()
	live := newBackend(t, "live", nil)
	eff := &policy.Effective{Service: "svc", Retries: &policy.RetryPolicy{Attempts: 1, RetryOn: []string{"connect-failure"}}}
	url := policyFront(t, NewRegistry(), eff, deadInstance(t, "dead", "svc"), live.instance("svc"))
	for range 6 {
		assert.Equal(t, http.StatusOK, meshtest.Get(t, url).Code, "the retry goes to the endpoint not tried")
	}
	assert.Equal(t, 6, live.count())
}
