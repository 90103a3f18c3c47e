package proxy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
)

// drainLimit bounds what is read from an answer that is discarded for a retry, so its
// connection can be reused.
const drainLimit = 64 << 10

// Retry sends an idempotent request (GET, HEAD, OPTIONS, or any request with an
// Idempotency-Key) again, up to its Route.Retries more times, when a try could not connect,
// lost its connection before an answer, or was answered 503. The next try goes to another
// endpoint while there is one (Pick skips the endpoints tried). A request body is buffered to
// be sent again, up to maxBody bytes; a larger body is sent once, without retries.
//
// A call whose Route.Policy has Retries is retried by that policy instead (policyRetry):
// attempts, per-try timeout, retryOn, backoff, retry budget. A circuit breaker's overflow is
// never retried.
func Retry(maxBody int64) Middleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return RoundTripFunc(func(req *http.Request) (*http.Response, error) {
			call := CallOf(req)
			if call != nil && call.Route.Policy != nil && call.Route.Policy.Retries != nil {
				return policyRetry(next, req, call, maxBody)
			}
			if call == nil || call.Route.Retries <= 0 || !call.idempotent(req) {
				return next.RoundTrip(req)
			}
			body, ok, err := bufferBody(req, maxBody)
			if err != nil {
				return nil, &Error{Status: http.StatusBadRequest, Reason: ReasonClientBody, Err: err}
			}
			if !ok {
				return next.RoundTrip(req)
			}
			return tries(next, req, call, body)
		})
	}
}

// tries runs the tries of one request; body, when not nil, is sent with each.
func tries(next http.RoundTripper, req *http.Request, call *Call, body []byte) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		call.Attempt = attempt
		resp, err := next.RoundTrip(tryRequest(req, attempt, body))
		if attempt >= call.Route.Retries || req.Context().Err() != nil || !retriable(resp, err) {
			return resp, err
		}
		discard(resp)
	}
}

// tryRequest is the request of a try: req itself for the first, a shallow copy for another;
// body, when not nil, is set on it to be sent again.
func tryRequest(req *http.Request, attempt int, body []byte) *http.Request {
	r := req
	if attempt > 0 {
		r = shallowCopy(req)
	}
	if body != nil {
		setBody(r, body)
	}
	return r
}

// retriable reports whether a try's outcome allows another: nothing or no answer came back
// from the endpoint, or it answered 503.
func retriable(resp *http.Response, err error) bool {
	if err == nil {
		return resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get(OverflowHeader) == ""
	}
	var e *Error
	if errors.As(err, &e) {
		return false // the chain's own answer: no endpoints, a policy
	}
	return IsConnectFailure(err) || IsConnectionLost(err)
}

// IsConnectionLost reports whether err is a connection that ended (EOF, reset) before an
// answer: the request may or may not have been processed. That includes net.ErrClosed: when
// the peer hangs up while a request body is still being written, Go's transport closes the
// connection from its reading side and the write fails on a connection it closed itself
// ("readfrom tcp …: use of closed network connection"). Callers tell a request cancelled on
// purpose by its context.
func IsConnectionLost(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, net.ErrClosed)
}

// bufferBody reads req's body so it can be sent again. ok is false when the body is over
// maxBody; req then still carries the whole body, to be sent once.
func bufferBody(req *http.Request, maxBody int64) (body []byte, ok bool, err error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, true, nil
	}
	if req.ContentLength > maxBody {
		return nil, false, nil
	}
	orig := req.Body
	if req.ContentLength > 0 {
		body = make([]byte, req.ContentLength)
		if _, err := io.ReadFull(orig, body); err != nil {
			return nil, false, fmt.Errorf("reading request body: %w", err)
		}
		return body, true, nil
	}
	body, err = io.ReadAll(io.LimitReader(orig, maxBody+1))
	if err != nil {
		return nil, false, fmt.Errorf("reading request body: %w", err)
	}
	if int64(len(body)) > maxBody {
		req.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), orig), orig}
		return nil, false, nil
	}
	return body, true, nil
}

// setBody gives r a fresh reader of body, and GetBody, so the transport may rewind it too.
func setBody(r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
}

// shallowCopy returns a copy of req for another try: its own URL (Pick changes it), the rest
// shared.
func shallowCopy(req *http.Request) *http.Request {
	r := new(http.Request)
	*r = *req
	u := *req.URL
	r.URL = &u
	return r
}
