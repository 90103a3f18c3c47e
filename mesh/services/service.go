package services

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
)

// ErrUnknownService is wrapped by New for a Config.Service it does not know.
var ErrUnknownService = errors.New("unknown service")

// Config configures one service instance.
type Config struct {
	// Service is which service this instance is: "user", "product", "order" or "payment".
	Service string
	// Instance names this instance ("payment-1") in ids it makes and in its stats; required.
	Instance string
	// Seed seeds the data (from Seed only, so identical on every replica) and, with Instance,
	// the work-time draws.
	Seed uint64
	// Work is the work time spent on every request but /healthz and /internal/stats.
	Work WorkTime
	// Outbound is the base URL of this instance's sidecar outbound listener
	// ("http://127.0.0.1:4567"), where the order service sends its calls with Host set to the
	// destination service. Empty: calls fail (503) until SetOutbound sets it.
	Outbound string
	// Logger receives the instance's warnings and debug events; nil discards them. The caller
	// attaches the instance; New adds the service.
	Logger *slog.Logger
}

// Service is one running service instance's handler.
type Service struct {
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	work     *sampler
	out      *outbound
	backend  backend
	requests atomic.Uint64
}

// backend is one service's routes and counters.
type backend interface {
	routes(rt *router)
	stats(into map[string]any)
}

// env is what a backend is built from.
type env struct {
	cfg Config
	log *slog.Logger
	out *outbound
}

var backends = map[string]func(env) backend{
	"user":    newUsers,
	"product": newProducts,
	"order":   newOrders,
	"payment": newPayments,
}

// New returns the handler of one instance of cfg.Service, its data seeded and its state empty.
func New(cfg Config) (*Service, error) {
	mk, ok := backends[cfg.Service]
	if !ok {
		return nil, fmt.Errorf("%w %q (want user, product, order or payment)", ErrUnknownService, cfg.Service)
	}
	if cfg.Instance == "" {
		return nil, fmt.Errorf("service %s: instance name required", cfg.Service)
	}
	if err := cfg.Work.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w: %s", cfg.Instance, ErrBadWorkTime, err.Error())
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("service", cfg.Service)
	s := &Service{cfg: cfg, log: log, work: newSampler(cfg.Work, cfg.Seed, cfg.Instance)}
	s.out = newOutbound(cfg.Outbound)
	s.backend = mk(env{cfg: cfg, log: log, out: s.out})
	rt := newRouter(s.working)
	s.backend.routes(rt)
	rt.serve(http.MethodGet, "/healthz", s.healthz)
	rt.serve(http.MethodGet, "/internal/stats", s.stats)
	s.mux = rt.finish()
	log.Debug("service ready", "work", cfg.Work.String(), "outbound", cfg.Outbound)
	return s, nil
}

// ServeHTTP serves the instance's routes, as the package documentation lists them.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// SetOutbound points the instance's calls at a new sidecar outbound listener (the sidecar
// restarted on a new port). Calls in flight finish on the old one. Safe for concurrent use.
func (s *Service) SetOutbound(baseURL string) {
	s.out.set(baseURL)
	s.log.Info("outbound moved", "outbound", baseURL)
}

// working wraps a business route: it counts the request and spends the work time first.
func (s *Service) working(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if !s.work.sleep(r.Context()) {
			writeError(w, http.StatusServiceUnavailable, "request canceled during work time")
			return
		}
		h(w, r)
	}
}

var healthy = []byte("{\"status\":\"ok\"}\n")

func (s *Service) healthz(w http.ResponseWriter, _ *http.Request) {
	writeBody(w, http.StatusOK, healthy)
}

func (s *Service) stats(w http.ResponseWriter, _ *http.Request) {
	m := map[string]any{
		"service":  s.cfg.Service,
		"instance": s.cfg.Instance,
		"requests": s.requests.Load(),
		"work":     s.cfg.Work.String(),
	}
	s.backend.stats(m)
	writeJSON(w, http.StatusOK, m)
}
