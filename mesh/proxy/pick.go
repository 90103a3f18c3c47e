package proxy

import (
	"errors"
	"net/http"
)

// errNoCall fails a request that did not come through a Handler.
var errNoCall = errors.New("proxy: request without a Call (not sent by a Handler)")

// Pick is the first middleware of the attempt chain: it chooses the endpoint of each try from
// t, by the request's Route.Service, and points the request at it. A service without live
// endpoints fails with a 503 (no-endpoints).
//
// A call that passed a Registry's Request middleware is picked under its policy: only the
// endpoints of its subset (Split), without the ejected ones (outlier detection; all of them
// when every one is ejected, as Envoy's panic mode), by its LoadBalancer algorithm.
func Pick(t *Table) Middleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return RoundTripFunc(func(req *http.Request) (*http.Response, error) {
			call := CallOf(req)
			if call == nil {
				return nil, errNoCall
			}
			var ep *Endpoint
			st := stateOf(req)
			if c := t.Cluster(call.Route.Service); c != nil && st != nil {
				ep = st.pick(c, call)
			} else if c != nil {
				ep = c.pick(call)
			}
			if ep == nil {
				return nil, st.noEndpoints(call.Route.Service)
			}
			call.Endpoint = ep
			call.Tried = append(call.Tried, ep)
			req.URL.Scheme = "http"
			req.URL.Host = ep.Addr
			return next.RoundTrip(req)
		})
	}
}
