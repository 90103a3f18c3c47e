package proxy

import (
	"github.com/meshlab/meshlab/mesh/policy"

	"context"
	"net/http"
	"time"
)

// HeaderIdempotencyKey marks a request as safe to retry and routes it by rendezvous hashing,
// so the same key reaches the same instance.
const HeaderIdempotencyKey = "Idempotency-Key"

// Route is where a request goes and the policy it travels under.
type Route struct {
	// Service is the destination service: a service name of the endpoint table.
	Service string
	// Timeout bounds the whole request, every try and the answer's body included; 0: none.
	Timeout time.Duration
	// Retries is how many more tries an idempotent request may get after its first (Istio's
	// attempts); 0: none.
	Retries int
	// Policy is the effective governance policy of this call (destination and route resolved);
	// nil: none beyond Timeout and Retries. Policy middlewares read it; they never change it.
	Policy *policy.Effective
}

// Call is one request's state as it travels the chains. Middlewares read it with CallOf; the
// fields are changed only by the chain's own middlewares, one try after another.
type Call struct {
	// Route is the request's route.
	Route Route
	// Key is the request's Idempotency-Key; "" when it has none.
	Key string
	// Attempt counts the tries from 0.
	Attempt int
	// Endpoint is the current try's endpoint once Pick chose it; nil before.
	Endpoint *Endpoint
	// Tried lists the endpoints picked so far, the current try's last.
	Tried []*Endpoint

	keyHash uint64 // of Key, once hashed
	hashed  bool
	turn    uint64 // round-robin position of the first try, once taken
	turned  bool
	tried   [4]*Endpoint // backs Tried for the usual few tries
}

type callKey struct{}

// CallOf returns the Call of a request sent by a Handler; nil for any other request.
func CallOf(r *http.Request) *Call {
	c, _ := r.Context().Value(callKey{}).(*Call)
	return c
}

// newCall starts the state of a request on route rt.
func newCall(r *http.Request, rt Route) *Call {
	c := &Call{Route: rt}
	if v := r.Header[HeaderIdempotencyKey]; len(v) > 0 {
		c.Key = v[0]
	}
	c.Tried = c.tried[:0]
	return c
}

// withCall returns r carrying c.
func withCall(r *http.Request, c *Call) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), callKey{}, c))
}

// hasTried reports whether ep was picked by an earlier try.
func (c *Call) hasTried(ep *Endpoint) bool {
	for _, t := range c.Tried {
		if t == ep || t.ID == ep.ID {
			return true
		}
	}
	return false
}

// idempotent reports whether the request may be sent again: a safe method, or a key.
func (c *Call) idempotent(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return c.Key != ""
}
