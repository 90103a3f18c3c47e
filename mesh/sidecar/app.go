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

var errNoApp = errors.New("the service process is not running")

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
// when there is none, it refuses the connection, or the connection ends before the answer.
func (s *Sidecar) toApp(next http.RoundTripper) http.RoundTripper {
	return proxy.RoundTripFunc(func(req *http.Request) (*http.Response, error) {
		addr := *s.app.Load()
		if addr == "" {
			return nil, appUnavailable(errNoApp)
		}
		req.URL.Scheme, req.URL.Host = "http", addr
		resp, err := next.RoundTrip(req)
		switch {
		case err == nil:
			return resp, nil
		case proxy.IsConnectFailure(err):
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

// App returns the app's address; "" while it is down.
func (s *Sidecar) App() string { return *s.app.Load() }

// SetApp records that the service process listens on addr ("" when it stopped). A change of
// presence calls the OnAppChange functions, in order, before SetApp returns.
func (s *Sidecar) SetApp(addr string) {
	s.appMu.Lock()
	defer s.appMu.Unlock()
	old := *s.app.Load()
	if addr == old {
		return
	}
	s.app.Store(&addr)
	s.inTransport.CloseIdleConnections() // idle connections to the old process are useless
	s.log.Info("app changed", "addr", addr, "was", old)
	if (old == "") != (addr == "") {
		for _, fn := range s.onApp {
			fn(addr != "")
		}
	}
}

// OnAppChange registers fn to be called with the app's presence whenever it changes (the
// caller flips the instance's readiness in the control plane). fn must not call SetApp.
func (s *Sidecar) OnAppChange(fn func(up bool)) {
	s.appMu.Lock()
	defer s.appMu.Unlock()
	s.onApp = append(s.onApp, fn)
}
