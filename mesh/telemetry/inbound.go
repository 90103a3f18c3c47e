package telemetry

import (
	"net/http"
	"strconv"
	"time"
)

// Side describes the requests a Middleware sees.
type Side struct {
	// Name is the side label: adminapi.SidePublic or adminapi.SideInbound.
	Name string
	// Source names a request's caller (the peer's service on a sidecar's inbound side);
	// nil or "": "unknown".
	Source func(r *http.Request) string
	// Destination names a request's service; nil: the service of its route in Routes, else
	// "unknown".
	Destination func(r *http.Request) string
	// Routes are the known routes; nil: Routes.
	Routes []Route
}

// Const returns a Source or Destination naming every request s.
func Const(s string) func(*http.Request) string { return func(*http.Request) string { return s } }

// Middleware returns an http.Handler middleware recording each request of side s:
// meshlab_requests_total and meshlab_request_duration_seconds (until the answer's headers).
// A handler that panics (an aborted connection) is recorded with code CodeAborted.
func (m *Metrics) Middleware(s Side) func(http.Handler) http.Handler {
	routes := s.Routes
	if routes == nil {
		routes = Routes
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rw := &statusWriter{ResponseWriter: w, start: start}
			rt, ok := MatchRoute(routes, r)
			route := RouteOther
			if ok {
				route = rt.Key
			}
			defer func() {
				code := CodeAborted
				if rw.code != 0 {
					code = strconv.Itoa(rw.code)
				}
				m.observe(s.Name, name(s.Source, r, ""), name(s.Destination, r, rt.Service), route,
					code, rw.elapsed())
			}()
			next.ServeHTTP(rw, r)
			if rw.code == 0 && !rw.hijacked {
				rw.code, rw.at = http.StatusOK, time.Now() // nothing written: the server sends 200
			}
		})
	}
}

// name calls f, falling back to def and then "unknown".
func name(f func(*http.Request) string, r *http.Request, def string) string {
	if f != nil {
		if s := f(r); s != "" {
			return s
		}
	}
	if def != "" {
		return def
	}
	return "unknown"
}
