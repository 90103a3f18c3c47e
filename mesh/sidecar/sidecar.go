package sidecar

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// Sidecar is one instance's proxy: inbound to its app, outbound to the mesh, and its admin.
type Sidecar struct {
	cfg Config
	log *slog.Logger
	out *proxy.Proxy
	res *proxy.Registry // the outbound resilience state: retry budgets, breakers, outliers

	appReady    atomic.Bool     // the app's readiness, as ProbeApp last saw it
	appMu       sync.Mutex      // orders readiness changes and their callbacks
	onApp       []func(up bool) // under appMu
	inTransport *proxy.Transport

	inbound, outbound, admin http.Handler
}

// New returns a Sidecar for cfg. Its outbound side answers 503 (no-endpoints) until the first
// Update.
func New(cfg Config) (*Sidecar, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("sidecar config: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	s := &Sidecar{cfg: cfg, log: cfg.Logger.With("service", cfg.Service), inTransport: proxy.NewTransport()}
	opts := proxy.Options{
		Timeout: cfg.Timeout, Retries: cfg.Retries,
		Request: cfg.OutboundRequest, Attempt: cfg.OutboundAttempt, Transport: cfg.Transport,
		Logger: s.log.With("side", "outbound"),
	}
	s.res = proxy.NewRegistry(proxy.WithLogger(opts.Logger))
	s.res.Apply(&opts)
	s.out = proxy.New(opts)
	s.inbound = s.newInbound()
	s.outbound = http.HandlerFunc(s.serveOutbound)
	s.admin = adminapi.RequireToken(cfg.Token, s.newAdmin())
	return s, nil
}

// Inbound returns the handler of the inbound listener, which other sidecars and the gateway
// dial: it forwards to the app.
func (s *Sidecar) Inbound() http.Handler { return s.inbound }

// Outbound returns the handler of the outbound listener, which the local service dials with
// Host set to the destination service.
func (s *Sidecar) Outbound() http.Handler { return s.outbound }

// Admin returns the token-guarded admin handler.
func (s *Sidecar) Admin() http.Handler { return s.admin }

// Update replaces the outbound endpoint table with snap's, and the policy in force with
// snap's when its PolicyVersion is new. A snapshot with PolicyVersion 0 (a restarted control
// plane that lost the policy) leaves the last known policy in force.
func (s *Sidecar) Update(snap controlplane.Snapshot) {
	s.out.Update(snap)
	s.log.Debug("endpoint table updated", "version", snap.Version, "policyVersion", snap.PolicyVersion)
}

// Resilience returns the outbound resilience state (retry budgets, circuit breakers, outlier
// detection), whose Stats the metrics report.
func (s *Sidecar) Resilience() *proxy.Registry { return s.res }

// Policy returns the policy document in force and its version; nil and 0 while none.
func (s *Sidecar) Policy() (*policy.MeshPolicy, uint64) { return s.out.Policy() }

// AuthorizationPolicy returns the authorization part of the policy in force; nil while none
// (Authz.Policy takes this method value).
func (s *Sidecar) AuthorizationPolicy() *policy.Authorization {
	if doc, _ := s.out.Policy(); doc != nil {
		return doc.Spec.Security.Authorization
	}
	return nil
}

// serveOutbound routes a call of the local service to the service its Host names.
func (s *Sidecar) serveOutbound(w http.ResponseWriter, r *http.Request) {
	svc := serviceOf(r.Host)
	if svc == "" {
		proxy.WriteError(w, http.StatusBadRequest, "", "no destination service: the request has no Host")
		return
	}
	if t := s.out.Table(); t.Synced() && !t.Known(svc) {
		proxy.WriteError(w, http.StatusNotFound, proxy.ReasonUnknownService, fmt.Sprintf("unknown service %q", svc))
		return
	}
	s.out.Serve(w, r, s.out.RouteFor(svc, r))
}

// serviceOf returns the service a Host names: the host without a port, in lower case.
func serviceOf(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	return strings.ToLower(host)
}
