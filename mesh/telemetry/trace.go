package telemetry

import (
	"net/http"

	"github.com/meshlab/meshlab/mesh/proxy"
	"github.com/meshlab/meshlab/mesh/tracectx"
)

// HeaderTraceparent is the W3C trace-context header.
const HeaderTraceparent = tracectx.Header

// ChildTraceparent gives h's traceparent a new parent id (a child span of this hop), keeping
// its version, trace id and flags. A missing or malformed traceparent is left as it is: the
// gateway starts traces, hops only continue them.
func ChildTraceparent(h http.Header) {
	tracectx.Child(h)
}

// Trace is the request-chain middleware that sends each outbound request as a child span
// (ChildTraceparent) of the one it came with; the caller's request is not changed.
func Trace(next http.RoundTripper) http.RoundTripper {
	return proxy.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		if _, ok := r.Header[HeaderTraceparent]; !ok {
			return next.RoundTrip(r)
		}
		r2 := *r
		r2.Header = r.Header.Clone()
		ChildTraceparent(r2.Header)
		return next.RoundTrip(&r2)
	})
}

// ValidTraceparent reports a well-formed version-00 traceparent.
func ValidTraceparent(s string) bool { return tracectx.Valid(s) }

var _ proxy.Middleware = Trace
