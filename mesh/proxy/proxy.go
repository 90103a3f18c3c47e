package proxy

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/meshlab/meshlab/mesh/controlplane"
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
}

// New returns a Proxy with an empty table; it answers 503 (no-endpoints) until Update.
func New(opts Options) *Proxy {
	p := &Proxy{table: NewTable(), transport: opts.Transport, timeout: opts.Timeout, retries: opts.Retries}
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

// Update replaces the endpoint table with snap's.
func (p *Proxy) Update(snap controlplane.Snapshot) { p.table.Update(snap) }

// Table returns the endpoint table.
func (p *Proxy) Table() *Table { return p.table }

// Route returns the route to service with the proxy's timeout and retries.
func (p *Proxy) Route(service string) Route {
	return Route{Service: service, Timeout: p.timeout, Retries: p.retries}
}

// Serve proxies r to one of rt.Service's endpoints.
func (p *Proxy) Serve(w http.ResponseWriter, r *http.Request, rt Route) { p.handler.Serve(w, r, rt) }

// CloseIdleConnections closes the transport's idle connections, when it can.
func (p *Proxy) CloseIdleConnections() {
	if c, ok := p.transport.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
