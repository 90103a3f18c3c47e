package telemetry

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/faults"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// CodeAborted is the code label of a request a fault aborted: the client got no answer.
const CodeAborted = "aborted"

// Outbound returns the request-chain middleware that records each outbound request of source
// (the sidecar's service, or "gateway"): meshlab_requests_total and the latency until the
// answer's headers with side "outbound", and its tries (meshlab_tries_total). Put it first in
// proxy.Options.Request (sidecar.Config.OutboundRequest, gateway.Config.Request): inside the
// route's timeout, outside the retry, so it sees each request once with every try done.
func (m *Metrics) Outbound(source string) proxy.Middleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return proxy.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			start := time.Now()
			resp, err := next.RoundTrip(r)
			call := proxy.CallOf(r)
			dest := "unknown"
			if call != nil {
				dest = call.Route.Service
				if n := len(call.Tried); n > 0 {
					m.tries.WithLabelValues(source, dest).Add(float64(n))
				}
			}
			m.observe(adminapi.SideOutbound, source, dest, routeLabel(r, call), outboundCode(r, resp, err),
				time.Since(start).Seconds())
			return resp, err
		})
	}
}

// outboundCode is the status the client of a request gets: the answer's, or the one the
// proxy.Handler makes of err.
func outboundCode(r *http.Request, resp *http.Response, err error) string {
	if err == nil {
		return strconv.Itoa(resp.StatusCode)
	}
	var pe *proxy.Error
	switch {
	case errors.As(err, &pe):
		return strconv.Itoa(pe.Status)
	case errors.Is(err, faults.ErrAbortConnection):
		return CodeAborted
	case proxy.DeadlineReached(r.Context()):
		return "504" // the Timeout middleware outside makes it a 504
	case r.Context().Err() != nil:
		return "499" // the client went away
	case proxy.IsConnectFailure(err):
		return "503"
	}
	return "502"
}
