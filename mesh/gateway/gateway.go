package gateway

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
	"github.com/meshlab/meshlab/mesh/tracectx"
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
	// Request middlewares run once per routed request inside its timeout, outside the retry,
	// the first outermost; each request's proxy.Call.Route.Policy is the effective policy of
	// its destination and route.
	Request []proxy.Middleware
	// OnRateLimited, when set, is called for every request a rate limit refused (metrics).
	OnRateLimited func(r *http.Request, route string)
	// Transport carries tries to the mesh; nil: proxy.NewTransport().
	Transport http.RoundTripper
}

// Gateway is the public entry of the mesh.
type Gateway struct {
	cfg   Config
	log   *slog.Logger
	proxy *proxy.Proxy
	res   *proxy.Registry // resilience state: retry budgets, breakers, outliers, splits
	edge  http.Handler    // the edge policies (API keys, rate limits, size limits), then routing
	admin http.Handler
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
	g := &Gateway{cfg: cfg, log: cfg.Logger}
	opts := proxy.Options{
		Timeout: cfg.Timeout, Retries: cfg.Retries, Logger: cfg.Logger, Transport: cfg.Transport,
		Request: append([]proxy.Middleware{echoRequestID}, cfg.Request...),
	}
	g.res = proxy.NewRegistry(proxy.WithLogger(cfg.Logger))
	g.res.Apply(&opts)
	g.proxy = proxy.New(opts)
	limits := &RateLimiter{Policy: g.gatewayPolicy, OnLimited: cfg.OnRateLimited}
	g.edge = APIKey(g.gatewayPolicy)(limits.Wrap(SizeLimit(g.gatewayPolicy)(http.HandlerFunc(g.serveRoute))))
	g.admin = adminapi.RequireToken(cfg.Token, g.newAdmin())
	return g, nil
}

// ServeHTTP passes a public request through the edge policies of the gateway policy in force
// (API keys: 401, rate limits: 429, size limits: 413) and routes it to its service. Every
// answer carries the request's X-Request-Id.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header()[headerRequestID] = []string{requestID(r)}
	g.edge.ServeHTTP(w, r)
}

// serveRoute sends a request to its service under the effective policy of its route.
func (g *Gateway) serveRoute(w http.ResponseWriter, r *http.Request) {
	rt, ok := match(r.Method, r.URL.Path)
	if !ok {
		if rt == nil {
			proxy.WriteError(w, http.StatusNotFound, "", fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path))
			return
		}
		w.Header().Set("Allow", rt.allow)
		proxy.WriteError(w, http.StatusMethodNotAllowed, "", fmt.Sprintf("method %s not allowed on %s", r.Method, rt.pattern))
		return
	}
	tracectx.Start(r.Header)
	g.proxy.Serve(w, r, g.proxy.RouteFor(rt.service, r))
}

// Update replaces the endpoint table with snap's, and the policy in force with snap's when its
// PolicyVersion is new; a snapshot with PolicyVersion 0 (a restarted control plane that lost
// the policy) leaves the last known policy in force.
func (g *Gateway) Update(snap controlplane.Snapshot) {
	g.proxy.Update(snap)
	g.log.Debug("endpoint table updated", "version", snap.Version, "policyVersion", snap.PolicyVersion)
}

// Policy returns the policy document in force; nil while none. It is shared: never change it.
func (g *Gateway) Policy() *policy.MeshPolicy {
	doc, _ := g.proxy.Policy()
	return doc
}

// Resilience returns the resilience state (retry budgets, circuit breakers, outlier
// detection), whose Stats the metrics report.
func (g *Gateway) Resilience() *proxy.Registry { return g.res }

// gatewayPolicy returns the gateway part of the policy in force; nil while none.
func (g *Gateway) gatewayPolicy() *policy.GatewayPolicy {
	if doc := g.Policy(); doc != nil {
		return &doc.Spec.Gateway
	}
	return nil
}

// echoRequestID drops any X-Request-Id the upstream set: the answer carries the request's,
// which ServeHTTP put on it first.
func echoRequestID(next http.RoundTripper) http.RoundTripper {
	return proxy.RoundTripFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		if err == nil {
			delete(resp.Header, headerRequestID)
		}
		return resp, err
	})
}

var _ http.Handler = (*Gateway)(nil)
