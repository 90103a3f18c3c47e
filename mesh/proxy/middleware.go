package proxy

import "net/http"

// RoundTripFunc adapts a function to http.RoundTripper.
type RoundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f(r).
func (f RoundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Middleware wraps a RoundTripper in one policy: it may change the request, answer it itself,
// call next (once, several times or not at all) and change the answer.
type Middleware func(next http.RoundTripper) http.RoundTripper

// Chain wraps rt in mws; the first middleware is the outermost, the one a request meets first.
func Chain(rt http.RoundTripper, mws ...Middleware) http.RoundTripper {
	for i := len(mws) - 1; i >= 0; i-- {
		rt = mws[i](rt)
	}
	return rt
}

var _ http.RoundTripper = RoundTripFunc(nil)
