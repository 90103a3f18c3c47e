package reports

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/meshlab/meshlab/scenarios"
)

// OtherRoute names requests that match none of scenarios.Routes.
const OtherRoute = "other"

// Classify names the route of a request, as scenarios.Routes does, from its method and URL:
// GET /users/<id>, GET /products/<id>, GET /products (any query), POST /orders, POST /payments.
// An <id> is one non-empty path segment. Anything else is OtherRoute.
func Classify(method, rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return OtherRoute
	}
	switch path := u.EscapedPath(); method {
	case http.MethodGet:
		switch {
		case isItem(path, "/users/"):
			return "GET /users/{id}"
		case isItem(path, "/products/"):
			return "GET /products/{id}"
		case path == "/products":
			return "GET /products"
		}
	case http.MethodPost:
		switch path {
		case "/orders":
			return "POST /orders"
		case "/payments":
			return "POST /payments"
		}
	}
	return OtherRoute
}

// isItem reports whether path is prefix followed by one non-empty segment.
func isItem(path, prefix string) bool {
	id, ok := strings.CutPrefix(path, prefix)
	return ok && id != "" && !strings.Contains(id, "/")
}

// routeRank orders routes as scenarios.Routes does, OtherRoute and unknown names last.
func routeRank(route string) int {
	if i := slices.Index(scenarios.Routes, route); i >= 0 {
		return i
	}
	return len(scenarios.Routes)
}

// sortRoutes sorts routes by routeRank, then by name.
func sortRoutes(routes []string) {
	slices.SortFunc(routes, func(a, b string) int {
		if ra, rb := routeRank(a), routeRank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
}

// mixShares returns each route's share of the load mix (0–1); an empty mix is DefaultMix.
func mixShares(mix []scenarios.RouteWeight) map[string]float64 {
	if len(mix) == 0 {
		mix = scenarios.DefaultMix
	}
	var total float64
	for _, rw := range mix {
		total += rw.Weight
	}
	shares := make(map[string]float64, len(mix))
	for _, rw := range mix {
		if total > 0 && rw.Weight > 0 {
			shares[rw.Route] += rw.Weight / total
		}
	}
	return shares
}
