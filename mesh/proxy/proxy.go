package proxy

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/policy"
)

// Defaults of Options.
const (
	DefaultTimeout      = 5 * time.Second
	DefaultMaxRetryBody = 1 << 20
)

// Options configure a Proxy. The zero value is a proxy with the default timeout and no retries.
type Options struct {
	// Timeout is a Route's timeout unless the route says otherwise; 0: DefaultTimeout;
	// negative: none.
	Timeout time.Duration
	// Retries is a Route's retries unless the route says otherwise; 0: none.
	Retries int
	// MaxRetryBody is the largest request body buffered for retries; 0: DefaultMaxRetryBody.
	MaxRetryBody int64
	// Request middlewares run once per request, inside the timeout and outside the retry, the
	// first outermost.
	Request []Middleware
	// Attempt middlewares run once per try, after Pick chose the endpoint (Call.Endpoint), the
	// first outermost.
	Attempt []Middleware
	// Transport sends each try; nil: NewTransport().
	Transport http.RoundTripper
	// Logger receives debug events of failed requests; nil discards them.
	Logger *slog.Logger
}

// Proxy is the outbound core: an endpoint table and the chain Timeout → Options.Request →
// Retry → Pick → Options.Attempt → Transport behind a Handler.
type Proxy struct {
	table     *Table
	handler   *Handler
	transport http.RoundTripper
	timeout   time.Duration
	retries   int
	log       *slog.Logger
	policy    atomic.Pointer[compiledPolicy] // the policy in force; never nil
}

// New returns a Proxy with an empty table; it answers 503 (no-endpoints) until Update.
func New(opts Options) *Proxy {
	p := &Proxy{table: NewTable(), transport: opts.Transport, timeout: opts.Timeout, retries: opts.Retries, log: opts.Logger}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.policy.Store(&compiledPolicy{})
	if p.transport == nil {
		p.transport = NewTransport()
	}
	switch {
	case p.timeout == 0:
		p.timeout = DefaultTimeout
	case p.timeout < 0:
		p.timeout = 0
	}
	maxBody := opts.MaxRetryBody
	if maxBody <= 0 {
		maxBody = DefaultMaxRetryBody
	}
	mws := []Middleware{Timeout()}
	mws = append(mws, opts.Request...)
	mws = append(mws, Retry(maxBody), Pick(p.table))
	mws = append(mws, opts.Attempt...)
	p.handler = NewHandler(Chain(p.transport, mws...), opts.Logger)
	return p
}

// Update replaces the endpoint table with snap's, and the policy in force with snap's when its
// PolicyVersion is new. A snapshot without a policy (PolicyVersion 0: a restarted control plane
// that lost it) leaves the policy in force as it is.
func (p *Proxy) Update(snap controlplane.Snapshot) {
	p.table.Update(snap)
	if snap.PolicyVersion != 0 && snap.PolicyVersion != p.policy.Load().version {
		p.SetPolicy(snap.Policy, snap.PolicyVersion)
	}
}

// SetPolicy puts doc in force as version: requests that start from now on resolve their
// Route from it, requests in flight keep the Route they started with.
func (p *Proxy) SetPolicy(doc *policy.MeshPolicy, version uint64) {
	old := p.policy.Swap(&compiledPolicy{doc: doc, version: version})
	p.log.Info("policy applied", "policyVersion", version, "was", old.version)
}

// Policy returns the policy document in force and its version; nil and 0 when none.
func (p *Proxy) Policy() (*policy.MeshPolicy, uint64) {
	c := p.policy.Load()
	return c.doc, c.version
}

// Table returns the endpoint table.
func (p *Proxy) Table() *Table { return p.table }

// Route returns the route to service with the proxy's timeout and retries.
func (p *Proxy) Route(service string) Route {
	return Route{Service: service, Timeout: p.timeout, Retries: p.retries}
}

// RouteFor returns the route of request r to service under the policy in force: its
// Policy is the effective policy of the matched route, and its Timeout and Retries are the
// policy's (RetryPolicy.Attempts) when set, else the proxy's. Resolved routes are cached per
// policy version, service and route key, so this neither allocates nor locks once warm.
func (p *Proxy) RouteFor(service string, r *http.Request) Route {
	c := p.policy.Load()
	if c.doc == nil {
		return p.Route(service)
	}
	return *c.route(p, service, r.Method, r.URL.Path)
}

// Serve proxies r to one of rt.Service's endpoints.
func (p *Proxy) Serve(w http.ResponseWriter, r *http.Request, rt Route) { p.handler.Serve(w, r, rt) }

// CloseIdleConnections closes the transport's idle connections, when it can.
func (p *Proxy) CloseIdleConnections() {
	if c, ok := p.transport.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// maxCachedServices bounds the services a compiled policy caches: names come from requests.
const maxCachedServices = 1024

// compiledPolicy is one policy version with its resolved routes, built lazily per service and
// route key on first use.
type compiledPolicy struct {
	doc      *policy.MeshPolicy
	version  uint64
	services sync.Map // service name → *serviceRoutes
	cached   atomic.Int32
}

// serviceRoutes is a service's route keys, in the order Resolve tries them, and its default.
type serviceRoutes struct {
	routes []*routeEntry
	def    routeEntry
}

// routeEntry is one route key, pre-split, and its Route once resolved.
type routeEntry struct {
	method string
	segs   []string
	wild   []bool
	route  atomic.Pointer[Route]
}

// route resolves the Route of a call; p supplies the defaults.
func (c *compiledPolicy) route(p *Proxy, service, method, path string) *Route {
	sr := c.service(service)
	e := &sr.def
	for _, re := range sr.routes {
		if re.matches(method, path) {
			e = re
			break
		}
	}
	if rt := e.route.Load(); rt != nil {
		return rt
	}
	eff := c.doc.Resolve(service, method, path, c.version)
	rt := &Route{Service: service, Timeout: p.timeout, Retries: p.retries, Policy: &eff}
	if eff.Timeout > 0 {
		rt.Timeout = eff.Timeout
	}
	if eff.Retries != nil {
		rt.Retries = eff.Retries.Attempts
	}
	e.route.Store(rt)
	return rt
}

// service returns the route keys of service, cached.
func (c *compiledPolicy) service(service string) *serviceRoutes {
	if v, ok := c.services.Load(service); ok {
		return v.(*serviceRoutes)
	}
	sp, ok := c.doc.Spec.Services[service]
	if !ok {
		sp = c.doc.Spec.Services["*"]
	}
	sr := &serviceRoutes{}
	for _, key := range routeKeysSorted(sp.Routes) {
		sr.routes = append(sr.routes, newRouteEntry(key))
	}
	if c.cached.Load() >= maxCachedServices {
		return sr
	}
	v, loaded := c.services.LoadOrStore(service, sr)
	if !loaded {
		c.cached.Add(1)
	}
	return v.(*serviceRoutes)
}

func newRouteEntry(key string) *routeEntry {
	m, pattern, ok := strings.Cut(key, " ")
	if !ok {
		m, pattern = "", key
	}
	re := &routeEntry{method: m, segs: strings.Split(strings.Trim(pattern, "/"), "/")}
	for _, s := range re.segs {
		re.wild = append(re.wild, strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"))
	}
	return re
}

// matches is policy.RouteMatches on the pre-split key, without allocating.
func (re *routeEntry) matches(method, path string) bool {
	if re.method != "" && re.method != method {
		return false
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	path = strings.Trim(path, "/")
	last := len(re.segs) - 1
	for i, k := range re.segs {
		seg, rest, more := strings.Cut(path, "/")
		if more != (i < last) {
			return false
		}
		if re.wild[i] {
			if seg == "" {
				return false
			}
		} else if k != seg {
			return false
		}
		path = rest
	}
	return true
}

// routeKeysSorted returns the route keys in sorted order, as policy.Resolve tries them.
func routeKeysSorted(m map[string]policy.RoutePolicy) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
