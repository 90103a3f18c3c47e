package gateway

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/proc"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// DefaultTimeout is a route's timeout when Config.Timeout is 0.
const DefaultTimeout = proxy.DefaultTimeout

// Config configures a Gateway.
type Config struct {
	// Timeout bounds each routed request, retries included; 0: DefaultTimeout.
	Timeout time.Duration
	// Retries is how many more tries an idempotent request gets; 0: none.
	Retries int
	// Logger receives the gateway's events; nil discards them.
	Logger *slog.Logger
	// Token is the run token guarding the admin handler; "" disables the check.
	Token string
}

// Gateway is the public entry of the mesh.
type Gateway struct {
	cfg    Config
	log    *slog.Logger
	proxy  *proxy.Proxy
	routes map[*route]proxy.Route
	admin  http.Handler
}

// New returns a Gateway; it answers 503 (no-endpoints) on every route until the first Update.
func New(cfg Config) (*Gateway, error) {
	var errs []error
	if cfg.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout %v is negative", cfg.Timeout))
	}
	if cfg.Retries < 0 {
		errs = append(errs, fmt.Errorf("retries %d is negative", cfg.Retries))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("gateway config: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	g := &Gateway{cfg: cfg, log: cfg.Logger, routes: map[*route]proxy.Route{}}
	g.proxy = proxy.New(proxy.Options{
		Timeout: cfg.Timeout, Retries: cfg.Retries, Logger: cfg.Logger,
		Request: []proxy.Middleware{echoRequestID},
	})
	for _, rt := range routes {
		g.routes[rt] = g.proxy.Route(rt.service)
	}
	g.admin = proc.RequireToken(cfg.Token, g.newAdmin())
	return g, nil
}

// ServeHTTP routes a public request to its service.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := requestID(r)
	rt, ok := match(r.Method, r.URL.Path)
	if !ok {
		w.Header()[headerRequestID] = []string{id}
		if rt == nil {
			proxy.WriteError(w, http.StatusNotFound, "", fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path))
			return
		}
		w.Header().Set("Allow", rt.allow)
		proxy.WriteError(w, http.StatusMethodNotAllowed, "", fmt.Sprintf("method %s not allowed on %s", r.Method, rt.pattern))
		return
	}
	startTrace(r)
	g.proxy.Serve(w, r, g.routes[rt])
}

// Update replaces the endpoint table with snap's.
func (g *Gateway) Update(snap controlplane.Snapshot) {
	g.proxy.Update(snap)
	g.log.Debug("endpoint table updated", "version", snap.Version)
}

// echoRequestID puts the request's X-Request-Id on the answer, replacing any the upstream set.
// (The proxy's own error answers carry it too.)
func echoRequestID(next http.RoundTripper) http.RoundTripper {
	return proxy.RoundTripFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		if err == nil {
			resp.Header[headerRequestID] = req.Header[headerRequestID]
		}
		return resp, err
	})
}

var _ http.Handler = (*Gateway)(nil)
