package proxy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/meshlab/meshlab/mesh/policy"
)

// Circuit breaking: the answer of an overflow.
const (
	// ReasonOverflow is the X-Meshlab-Reason of a request the circuit breaker refused (503).
	ReasonOverflow = "overflow"
	// OverflowHeader names the limit that refused it: OverflowMaxRequests, OverflowMaxPending
	// or OverflowMaxConnections.
	OverflowHeader = "X-Meshlab-Overflow"
	// DefaultMaxPendingRequests bounds the requests waiting for a connection when
	// MaxConnections is set and MaxPendingRequests is not (Envoy's default): nothing queues
	// without bound.
	DefaultMaxPendingRequests = 1024
)

// breaker is a service's circuit breaker, Envoy's per-cluster thresholds from Istio's
// connection pool settings. Every try in flight holds one connection: the transport speaks
// HTTP/1.1, one request per connection at a time, so limiting the tries in flight to a
// destination limits its busy connections (idle keep-alive connections are not counted; the
// transport closes them after IdleConnTimeout). A try that finds MaxConnections busy waits, as
// a pending request, for one to be released, bounded by MaxPendingRequests and by the
// request's deadline; when the queue is full the try overflows as max-pending, or as
// max-connections when MaxPendingRequests was not set (DefaultMaxPendingRequests applied).
// MaxRequests bounds the tries outstanding: active and pending.
type breaker struct {
	mu      sync.Mutex
	active  int
	waiters []chan struct{} // pending tries, first in first out; closed when given a slot
}

// acquire takes a slot for a try under cp; kind names the limit when it overflowed.
func (b *breaker) acquire(ctx context.Context, cp *policy.ConnectionPool) (kind string, err error) {
	b.mu.Lock()
	outstanding := b.active + len(b.waiters)
	if cp.MaxRequests > 0 && outstanding >= cp.MaxRequests {
		b.mu.Unlock()
		return OverflowMaxRequests, nil
	}
	if cp.MaxConnections <= 0 || b.active < cp.MaxConnections {
		b.active++
		b.mu.Unlock()
		return "", nil
	}
	maxPending := cp.MaxPendingRequests
	if maxPending <= 0 {
		maxPending = DefaultMaxPendingRequests
	}
	if len(b.waiters) >= maxPending {
		b.mu.Unlock()
		if cp.MaxPendingRequests <= 0 {
			return OverflowMaxConnections, nil // only maxConnections was configured
		}
		return OverflowMaxPending, nil
	}
	ch := make(chan struct{})
	b.waiters = append(b.waiters, ch)
	b.mu.Unlock()
	return b.wait(ctx, ch)
}

// wait waits for ch to be given a slot, or gives up its place when ctx ends.
func (b *breaker) wait(ctx context.Context, ch chan struct{}) (string, error) {
	select {
	case <-ch:
		return "", nil
	case <-ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	err := &Error{Status: http.StatusGatewayTimeout, Reason: ReasonTimeout,
		Err: fmt.Errorf("waiting for a connection: %w", ctx.Err())} // the proxy's own: no outlier
	for i, w := range b.waiters {
		if w == ch {
			b.waiters = append(b.waiters[:i], b.waiters[i+1:]...)
			return "", err
		}
	}
	b.releaseLocked() // given a slot while giving up: pass it on
	return "", err
}

// release frees a slot: the first pending try takes it over, else it is free.
func (b *breaker) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.releaseLocked()
}

func (b *breaker) releaseLocked() {
	if len(b.waiters) > 0 {
		ch := b.waiters[0]
		b.waiters = b.waiters[1:]
		close(ch) // the slot passes on: active stays
		return
	}
	b.active--
}

// breakerMiddleware enforces the call's ConnectionPool on each try and counts each endpoint's
// tries in flight (for LEAST_REQUEST). A slot is held until the answer's body is closed.
func (r *Registry) breakerMiddleware() Middleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return RoundTripFunc(func(req *http.Request) (*http.Response, error) {
			call, st := CallOf(req), stateOf(req)
			if call == nil || st == nil {
				return next.RoundTrip(req)
			}
			cp := call.Route.Policy.ConnectionPool
			if cp == nil {
				return track(next, req, call.Endpoint, nil)
			}
			kind, err := st.svc.breaker.acquire(req.Context(), cp)
			if err != nil {
				return nil, err
			}
			if kind != "" {
				r.countOverflow(st.svc, kind)
				return overflowResponse(req, st.svc.name, kind), nil
			}
			return track(next, req, call.Endpoint, st.svc.breaker.release)
		})
	}
}

// countOverflow counts an overflow of kind.
func (r *Registry) countOverflow(s *serviceState, kind string) {
	for i, k := range overflowKinds {
		if k == kind {
			s.counts.overflow[i].Add(1)
		}
	}
	r.log.Debug("circuit breaker overflow", "service", s.name, "limit", kind)
}

// track sends the try, counting it in flight on ep until its answer's body is closed, and then
// calls done (when not nil).
func track(next http.RoundTripper, req *http.Request, ep *Endpoint, done func()) (*http.Response, error) {
	var once sync.Once
	end := func() {
		once.Do(func() {
			if ep != nil {
				ep.inflight.Add(-1)
			}
			if done != nil {
				done()
			}
		})
	}
	if ep != nil {
		ep.inflight.Add(1)
	}
	resp, err := next.RoundTrip(req)
	if err != nil {
		end()
		return nil, err
	}
	resp.Body = onClose(resp.Body, end)
	return resp, nil
}

// onClose calls f once when body is closed, keeping body's ability to be written.
func onClose(body io.ReadCloser, f func()) io.ReadCloser {
	return cancelOnClose(body, f)
}

// overflowResponse is the breaker's 503: X-Meshlab-Reason: overflow, OverflowHeader: kind.
func overflowResponse(req *http.Request, service, kind string) *http.Response {
	body := fmt.Sprintf("{\"error\":\"circuit breaker of service %s: %s overflow\"}\n", service, kind)
	h := http.Header{"Content-Type": {"application/json"}, ReasonHeader: {ReasonOverflow}, OverflowHeader: {kind}}
	return &http.Response{Status: "503 Service Unavailable", StatusCode: http.StatusServiceUnavailable,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h, Request: req,
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}
}
