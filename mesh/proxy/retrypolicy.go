package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/meshlab/meshlab/mesh/policy"
)

// Envoy's backoff defaults.
const (
	DefaultBackoffBase = 25 * time.Millisecond
	// DefaultBackoffMaxFactor: the maximum interval is this × the base unless set.
	DefaultBackoffMaxFactor = 10
)

// retryOn is a parsed RetryPolicy.RetryOn.
type retryOn struct {
	any5xx, gateway, reset, connect bool
	codes                           map[int]bool
}

// parseRetryOn reads rp's conditions; none: connect-failure, reset and 503.
func parseRetryOn(rp *policy.RetryPolicy) retryOn {
	if len(rp.RetryOn) == 0 {
		return retryOn{reset: true, connect: true, codes: map[int]bool{503: true}}
	}
	var ro retryOn
	for _, c := range rp.RetryOn {
		switch c {
		case "5xx":
			ro.any5xx = true
		case "gateway-error":
			ro.gateway = true
		case "reset":
			ro.reset = true
		case "connect-failure":
			ro.connect = true
		case "retriable-status-codes":
			for _, code := range rp.RetriableStatusCodes {
				ro.addCode(code)
			}
		default:
			if code, err := strconv.Atoi(c); err == nil {
				ro.addCode(code)
			}
		}
	}
	return ro
}

func (ro *retryOn) addCode(code int) {
	if ro.codes == nil {
		ro.codes = map[int]bool{}
	}
	ro.codes[code] = true
}

// match reports whether a try's outcome is retried, as Envoy decides: 5xx and gateway-error
// also retry resets, connect failures and per-try timeouts, reset covers per-try timeouts
// ("read timeout") and connect failures; the proxy's own answers
// (overflow, no endpoints) are never retried.
func (ro retryOn) match(resp *http.Response, err error, perTryTimeout bool) bool {
	switch {
	case perTryTimeout:
		return ro.any5xx || ro.gateway || ro.reset || ro.codes[http.StatusGatewayTimeout]
	case err != nil:
		var e *Error
		if errors.As(err, &e) {
			return false
		}
		if ro.any5xx || ro.gateway {
			return true
		}
		return (ro.connect || ro.reset) && IsConnectFailure(err) || ro.reset && IsConnectionLost(err)
	case resp.Header.Get(ReasonHeader) == ReasonOverflow && resp.Header.Get(OverflowHeader) != "":
		return false
	}
	c := resp.StatusCode
	return ro.any5xx && c >= 500 || ro.gateway && (c == 502 || c == 503 || c == 504) || ro.codes[c]
}

// backoff is the wait before retry n (from 1): full jitter, uniform in [0, min(base × 2^(n-1),
// max)), as Envoy's JitteredExponentialBackOffStrategy.
func backoff(b *policy.Backoff, n int, rnd func() float64) time.Duration {
	base, limit := DefaultBackoffBase, time.Duration(0)
	if b != nil {
		if b.BaseInterval.Duration > 0 {
			base = b.BaseInterval.Duration
		}
		limit = b.MaxInterval.Duration
	}
	if limit <= 0 {
		limit = DefaultBackoffMaxFactor * base
	}
	d := limit
	if n-1 < 32 && base<<(n-1) < limit {
		d = base << (n - 1)
	}
	return time.Duration(rnd() * float64(d))
}

// idempotentStrict reports whether the method is idempotent (RFC 9110: GET, HEAD, OPTIONS,
// TRACE, PUT, DELETE) or the request carries an Idempotency-Key.
func idempotentStrict(r *http.Request, c *Call) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return c.Key != ""
}

// tryOnce sends one try, bounded by perTry when positive; timedOut reports that the per-try
// deadline, not the request's, ended it.
func tryOnce(next http.RoundTripper, r *http.Request, perTry time.Duration) (resp *http.Response, err error, timedOut bool) {
	if perTry <= 0 {
		resp, err = next.RoundTrip(r)
		return resp, err, false
	}
	parent := r.Context()
	ctx, cancel := context.WithTimeout(parent, perTry)
	resp, err = next.RoundTrip(r.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err, deadlineEnded(ctx, parent)
	}
	resp.Body = cancelOnClose(resp.Body, cancel)
	return resp, nil, false
}

// perTryTimeoutError is the 504 of a last try that ran out of its per-try timeout.
func perTryTimeoutError(d time.Duration, err error) *Error {
	return &Error{Status: http.StatusGatewayTimeout, Reason: ReasonTimeout,
		Err: fmt.Errorf("no answer within the per-try timeout %v: %w", d, err)}
}

// discard drains and closes a try's answer that will not be used.
func discard(resp *http.Response) {
	if resp != nil {
		io.CopyN(io.Discard, resp.Body, drainLimit)
		resp.Body.Close()
	}
}
