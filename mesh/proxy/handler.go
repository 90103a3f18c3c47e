package proxy

import (
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync"
)

// Handler serves requests as a reverse proxy whose transport is a RoundTripper chain. It is an
// httputil.ReverseProxy (hop-by-hop headers, trailers, upgrades, 1xx, streaming with immediate
// flushes) that puts the request's Call in its context, appends X-Forwarded-For, and answers
// the chain's errors as JSON with X-Meshlab-Reason. Every other header, X-Request-Id and
// traceparent among them, passes as it is.
type Handler struct {
	rp  httputil.ReverseProxy
	log *slog.Logger
}

// NewHandler returns a Handler sending requests through rt; the chain must point each request
// at its upstream (Pick, or a middleware of its own). A nil logger discards.
func NewHandler(rt http.RoundTripper, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{log: log}
	h.rp = httputil.ReverseProxy{
		Rewrite:      rewrite,
		Transport:    rt,
		BufferPool:   bufferPool{},
		ErrorHandler: h.serveError,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	return h
}

// Serve proxies r on route rt.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, rt Route) {
	h.rp.ServeHTTP(w, withCall(r, newCall(r, rt)))
}

// rewrite prepares the outbound request: the chain sets its host per try.
func rewrite(pr *httputil.ProxyRequest) {
	pr.Out.URL.Scheme = "http"
	ip, _, err := net.SplitHostPort(pr.In.RemoteAddr)
	if err != nil {
		return
	}
	if prior := pr.In.Header["X-Forwarded-For"]; len(prior) > 0 {
		ip = strings.Join(prior, ", ") + ", " + ip
	}
	pr.Out.Header["X-Forwarded-For"] = []string{ip}
}

// serveError answers a request the chain failed.
func (h *Handler) serveError(w http.ResponseWriter, r *http.Request, err error) {
	e := classify(err)
	status, reason := e.Status, e.Reason
	if r.Context().Err() != nil {
		status, reason = statusClientClosed, ReasonClientGone
	}
	if id := r.Header["X-Request-Id"]; len(id) > 0 {
		w.Header()["X-Request-Id"] = id
	}
	if call := CallOf(r); call != nil {
		h.log.Debug("proxy answered itself", "service", call.Route.Service, "method", r.Method,
			"path", r.URL.Path, "status", status, "reason", reason, "tries", len(call.Tried), "err", err)
	}
	WriteError(w, status, reason, e.Err.Error())
}

// bufferPool lends BufferSize buffers to httputil.ReverseProxy. It pools array pointers, so
// neither Get nor Put allocates.
type bufferPool struct{}

var buffers = sync.Pool{New: func() any { return new([BufferSize]byte) }}

func (bufferPool) Get() []byte { return buffers.Get().(*[BufferSize]byte)[:] }

func (bufferPool) Put(b []byte) {
	if cap(b) < BufferSize {
		return
	}
	buffers.Put((*[BufferSize]byte)(b[:BufferSize]))
}

var _ httputil.BufferPool = bufferPool{}
