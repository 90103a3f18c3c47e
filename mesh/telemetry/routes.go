package telemetry

import (
	"net/http"

	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// RouteOther is the route label of a request that matches no known route.
const RouteOther = "other"

// Route is a known route: its key (policy.RouteMatches form) and the service that serves it.
type Route struct {
	Key     string
	Service string
}

// Routes are the mesh's known routes, public and internal: the route label takes one of
// their keys, so its values stay few whatever paths clients send.
var Routes = []Route{
	{"GET /users/{id}", "user"},
	{"GET /products/{id}", "product"},
	{"GET /products", "product"},
	{"POST /products/{id}/reservations", "product"},
	{"DELETE /products/{id}/reservations/{reservationId}", "product"},
	{"POST /orders", "order"},
	{"POST /payments", "payment"},
}

// MatchRoute returns the first of routes matching r (HEAD counts as GET); ok is false when
// none does.
func MatchRoute(routes []Route, r *http.Request) (rt Route, ok bool) {
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	for _, rt := range routes {
		if policy.RouteMatches(rt.Key, method, r.URL.Path) {
			return rt, true
		}
	}
	return Route{}, false
}

// routeLabel is the route label of an outbound request: the effective policy's route, else a
// known route, else RouteOther.
func routeLabel(r *http.Request, call *proxy.Call) string {
	if call != nil && call.Route.Policy != nil && call.Route.Policy.Route != "" {
		return call.Route.Policy.Route
	}
	if rt, ok := MatchRoute(Routes, r); ok {
		return rt.Key
	}
	return RouteOther
}
