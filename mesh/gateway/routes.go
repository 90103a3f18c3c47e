package gateway

import (
	"net/http"
	"strings"
)

// route is one public path: an exact path, or a prefix followed by one path segment ({id}).
type route struct {
	pattern string   // as shown: "/users/{id}"
	path    string   // the exact path, or the prefix before {id}
	param   bool     // one more segment follows path
	methods []string // methods served; GET also serves HEAD
	allow   string   // the Allow header of a 405
	service string
}

// routes is the public API of the mesh.
var routes = []*route{
	newRoute("/users/{id}", "user", http.MethodGet),
	newRoute("/products/{id}", "product", http.MethodGet),
	newRoute("/products", "product", http.MethodGet),
	newRoute("/orders", "order", http.MethodPost),
	newRoute("/payments", "payment", http.MethodPost),
}

func newRoute(pattern, service string, methods ...string) *route {
	rt := &route{pattern: pattern, path: pattern, service: service}
	if p, ok := strings.CutSuffix(pattern, "{id}"); ok {
		rt.path, rt.param = p, true
	}
	for _, m := range methods {
		rt.methods = append(rt.methods, m)
		if m == http.MethodGet {
			rt.methods = append(rt.methods, http.MethodHead)
		}
	}
	rt.allow = strings.Join(rt.methods, ", ")
	return rt
}

// matches reports whether path is this route's.
func (rt *route) matches(path string) bool {
	if !rt.param {
		return path == rt.path
	}
	id, ok := strings.CutPrefix(path, rt.path)
	return ok && id != "" && !strings.Contains(id, "/")
}

// match finds the route of path; method tells whether it serves the request.
func match(method, path string) (rt *route, ok bool) {
	for _, rt := range routes {
		if rt.matches(path) {
			for _, m := range rt.methods {
				if m == method {
					return rt, true
				}
			}
			return rt, false
		}
	}
	return nil, false
}
