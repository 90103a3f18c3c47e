package proxy

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Registry holds the resilience state of one proxy, per destination service: the retry
// budget, the circuit breaker's counters and outlier detection's endpoint health. Create one
// per proxy and add its middlewares with Apply; Pick and Retry find it through the request.
//
//	request chain ─ Timeout ─ Registry.Request ─ Retry ─ Pick ─ Registry.Attempt… ─ Transport
//	                          (subset, state)    (budget) (LB,   (outlier detection,
//	                                                      ejections) circuit breaking)
type Registry struct {
	now  func() time.Time
	rand func() float64
	log  *slog.Logger

	mu       sync.Mutex
	services map[string]*serviceState
}

// RegistryOption configures a Registry.
type RegistryOption func(*Registry)

// WithClock sets the Registry's clock (outlier ejection times, retry budget windows);
// default time.Now.
func WithClock(now func() time.Time) RegistryOption { return func(r *Registry) { r.now = now } }

// WithRand sets the Registry's random source, uniform in [0, 1) and safe for concurrent use
// (backoff jitter, weighted splits, RANDOM and LEAST_REQUEST); default math/rand/v2.Float64.
func WithRand(f func() float64) RegistryOption { return func(r *Registry) { r.rand = f } }

// WithLogger sets the logger of ejections and overflows; default discards.
func WithLogger(l *slog.Logger) RegistryOption { return func(r *Registry) { r.log = l } }

// NewRegistry returns an empty Registry.
func NewRegistry(opts ...RegistryOption) *Registry {
	r := &Registry{now: time.Now, rand: rand.Float64, log: slog.New(slog.DiscardHandler),
		services: map[string]*serviceState{}}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Apply adds the Registry's middlewares to o: Request last among o.Request (closest to
// Retry), Attempt first among o.Attempt (closest to Pick).
func (r *Registry) Apply(o *Options) {
	o.Request = append(o.Request, r.Request())
	o.Attempt = append(r.Attempt(), o.Attempt...)
}

// Request is the request-chain middleware: for a call with a Route.Policy it chooses the
// call's subset (Split) and hands the service's state to Retry and Pick.
func (r *Registry) Request() Middleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return RoundTripFunc(func(req *http.Request) (*http.Response, error) {
			call := CallOf(req)
			if call == nil || call.Route.Policy == nil {
				return next.RoundTrip(req)
			}
			st := &callState{reg: r, svc: r.service(call.Route.Service)}
			if err := st.chooseSubset(call.Route.Policy, req.Header, r.rand); err != nil {
				return nil, err
			}
			return next.RoundTrip(req.WithContext(context.WithValue(req.Context(), stateKey{}, st)))
		})
	}
}

// Attempt returns the attempt-chain middlewares, outermost first: outlier detection, then
// circuit breaking (which also counts each endpoint's requests in flight for LEAST_REQUEST).
func (r *Registry) Attempt() []Middleware {
	return []Middleware{r.outlierMiddleware(), r.breakerMiddleware()}
}

// service returns name's state, made on first use.
func (r *Registry) service(name string) *serviceState {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.services[name]
	if s == nil {
		s = newServiceState(name, r.now())
		r.services[name] = s
	}
	return s
}

// serviceState is one destination's resilience state.
type serviceState struct {
	name    string
	budget  budget
	breaker breaker
	outlier outlier
	counts  counters
}

func newServiceState(name string, now time.Time) *serviceState {
	s := &serviceState{name: name}
	s.outlier.start = now
	s.outlier.eps = map[string]*epHealth{}
	return s
}

type stateKey struct{}

// callState is what a call carries from Registry.Request to Retry, Pick and the attempt
// middlewares.
type callState struct {
	reg    *Registry
	svc    *serviceState
	subset string            // chosen subset; "": all endpoints
	labels map[string]string // the subset's labels
	total  int               // endpoints of the service at the last pick
}

// stateOf returns the request's callState; nil when no Registry saw it.
func stateOf(r *http.Request) *callState {
	s, _ := r.Context().Value(stateKey{}).(*callState)
	return s
}
