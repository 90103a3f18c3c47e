package sidecar

import (
	"errors"
	"net/http"

	"github.com/meshlab/meshlab/mesh/faults"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// Reasons of the inbound 503s, when the app cannot answer. A 503 tells the calling sidecar that
// an idempotent request may be tried on another instance (as Envoy's 503 for a reset before
// headers does).
const (
	// ReasonAppUnavailable: the app is not running or refuses connections.
	ReasonAppUnavailable = "app-unavailable"
	// ReasonAppReset: the app's connection ended before its answer (the process died).
	ReasonAppReset = "app-reset"
)

var errNoApp = errors.New("the sidecar fronts no app")

// newInbound builds the inbound proxy: Config.Inbound middlewares, the policy's static faults
// (faults.Static), then the app. An inbound call's Route.Policy is the effective policy of the
// instance's own service and the request's route (what inbound filters read); its Timeout and
// Retries stay unset: they are the caller's. Static faults sit here, in the chain HTTPChaos
// uses, so every try of a caller meets them anew.
func (s *Sidecar) newInbound() http.Handler {
	mws := append(append([]proxy.Middleware{}, s.cfg.Inbound...), faults.Static(nil, nil), s.toApp)
	h := proxy.NewHandler(proxy.Chain(s.inTransport, mws...), s.log.With("side", "inbound"))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.Serve(w, r, proxy.Route{Service: s.cfg.Service, Policy: s.out.RouteFor(s.cfg.Service, r).Policy})
	})
}

// toApp is the last inbound middleware: it points the request at the app, and answers 503
// when there is none, it refuses the connection (the sidecar then takes itself out of the
// endpoints at once, before its next probe), or the connection ends before the answer.
func (s *Sidecar) toApp(next http.RoundTripper) http.RoundTripper {
	return proxy.RoundTripFunc(func(req *http.Request) (*http.Response, error) {
		if s.cfg.App == "" {
			return nil, appUnavailable(errNoApp)
		}
		req.URL.Scheme, req.URL.Host = "http", s.cfg.App
		resp, err := next.RoundTrip(req)
		switch {
		case err == nil:
			return resp, nil
		case proxy.IsConnectFailure(err):
			s.setAppReady(false)
			return nil, appUnavailable(err)
		case proxy.IsConnectionLost(err) && req.Context().Err() == nil:
			return nil, &proxy.Error{Status: http.StatusServiceUnavailable, Reason: ReasonAppReset, Err: err}
		}
		return nil, err
	})
}

func appUnavailable(err error) *proxy.Error {
	return &proxy.Error{Status: http.StatusServiceUnavailable, Reason: ReasonAppUnavailable, Err: err}
}

// App returns the app's address (Config.App).
func (s *Sidecar) App() string { return s.cfg.App }
