package proxy

import (
	"math/rand/v2"
	"net/http"

	"github.com/meshlab/meshlab/internal/sleep"
	"github.com/meshlab/meshlab/mesh/policy"
)

// policyRetry runs a request's tries under its Route.Policy.Retries: Attempts retries after
// the first try, each bounded by PerTryTimeout inside the route's timeout, on the RetryOn
// conditions, after a jittered exponential backoff, while the service's retry budget allows.
// Only idempotent requests are retried unless NonIdempotent.
func policyRetry(next http.RoundTripper, req *http.Request, call *Call, maxBody int64) (*http.Response, error) {
	rp := call.Route.Policy.Retries
	st := stateOf(req)
	if st != nil {
		st.svc.counts.requests.Add(1)
		if rp.Budget != nil {
			st.svc.budget.deposit(st.reg.now())
		}
	}
	retries := rp.Attempts
	if !rp.NonIdempotent && !idempotentStrict(req, call) {
		retries = 0
	}
	var body []byte
	if retries > 0 {
		b, ok, err := bufferBody(req, maxBody)
		if err != nil {
			return nil, &Error{Status: http.StatusBadRequest, Reason: ReasonClientBody, Err: err}
		}
		if !ok {
			retries = 0
		}
		body = b
	}
	return policyTries(next, req, call, st, retries, body)
}

// policyTries runs up to 1 + retries tries; body, when not nil, is sent with each.
func policyTries(next http.RoundTripper, req *http.Request, call *Call, st *callState, retries int, body []byte) (*http.Response, error) {
	rp := call.Route.Policy.Retries
	perTry := rp.PerTryTimeout.Duration
	cond := parseRetryOn(rp)
	rnd := randOf(st)
	for attempt := 0; ; attempt++ {
		call.Attempt = attempt
		resp, err, timedOut := tryOnce(next, tryRequest(req, attempt, body), perTry)
		if attempt >= retries || req.Context().Err() != nil || !cond.match(resp, err, timedOut) || !allowRetry(st, rp.Budget) {
			if timedOut {
				return nil, perTryTimeoutError(perTry, err)
			}
			return resp, err
		}
		discard(resp)
		if !sleep.For(req.Context(), backoff(rp.Backoff, attempt+1, rnd)) {
			return nil, req.Context().Err()
		}
		if st != nil {
			st.svc.counts.retries.Add(1)
		}
	}
}

// allowRetry asks the service's budget, when the policy has one, for a retry, counting a
// refusal.
func allowRetry(st *callState, rb *policy.RetryBudget) bool {
	if st == nil || rb == nil {
		return true
	}
	if st.svc.budget.withdraw(st.reg.now(), rb) {
		return true
	}
	st.svc.counts.exhausted.Add(1)
	return false
}

// randOf returns the Registry's random source, or the default without one.
func randOf(st *callState) func() float64 {
	if st != nil {
		return st.reg.rand
	}
	return rand.Float64
}
