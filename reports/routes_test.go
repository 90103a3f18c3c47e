package reports

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/meshlab/meshlab/scenarios"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	const gw = "http://127.0.0.1:8080"
	tests := []struct {
		name, method, url, want string
	}{
		{"user", "GET", gw + "/users/17", "GET /users/{id}"},
		{"user, non-numeric id", "GET", gw + "/users/abc", "GET /users/{id}"},
		{"product", "GET", gw + "/products/9999", "GET /products/{id}"},
		{"product list", "GET", gw + "/products", "GET /products"},
		{"product list with query", "GET", gw + "/products?limit=25", "GET /products"},
		{"product list with empty query", "GET", gw + "/products?", "GET /products"},
		{"order", "POST", gw + "/orders", "POST /orders"},
		{"payment", "POST", gw + "/payments", "POST /payments"},
		{"relative URL", "GET", "/users/3", "GET /users/{id}"},
		{"users without id", "GET", gw + "/users/", OtherRoute},
		{"users collection", "GET", gw + "/users", OtherRoute},
		{"nested path", "GET", gw + "/users/3/orders", OtherRoute},
		{"trailing slash", "GET", gw + "/products/3/", OtherRoute},
		{"product list trailing slash", "GET", gw + "/products/", OtherRoute},
		{"wrong method for item", "POST", gw + "/users/3", OtherRoute},
		{"wrong method for list", "DELETE", gw + "/products", OtherRoute},
		{"GET orders", "GET", gw + "/orders", OtherRoute},
		{"lower-case method", "get", gw + "/users/3", OtherRoute},
		{"HEAD", "HEAD", gw + "/users/3", OtherRoute},
		{"order sub-path", "POST", gw + "/orders/1", OtherRoute},
		{"unknown path", "GET", gw + "/healthz", OtherRoute},
		{"no method", "", gw + "/users/3", OtherRoute},
		{"bad URL", "GET", "http://[::1", OtherRoute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Classify(tt.method, tt.url))
		})
	}
}

func TestClassifyKnowsEveryRoute(t *testing.T) {
	t.Parallel()
	for _, route := range scenarios.Routes {
		r := sample(route, 0, 200, 0)
		assert.Equal(t, route, Classify(r.Method, r.URL))
	}
}

func TestSortRoutes(t *testing.T) {
	t.Parallel()
	got := []string{OtherRoute, "POST /payments", "GET /users/{id}", "GET /products", "zzz", "GET /products/{id}"}
	sortRoutes(got)
	assert.Equal(t, []string{"GET /users/{id}", "GET /products/{id}", "GET /products", "POST /payments", OtherRoute, "zzz"}, got)
}

func TestMixShares(t *testing.T) {
	t.Parallel()
	assert.InDeltaMapValues(t, map[string]float64{
		"GET /users/{id}": 0.3, "GET /products/{id}": 0.3, "GET /products": 0.1, "POST /orders": 0.2, "POST /payments": 0.1,
	}, mixShares(nil), 1e-12)
	assert.Equal(t, map[string]float64{"POST /orders": 0.75, "POST /payments": 0.25}, mixShares([]scenarios.RouteWeight{
		{Route: "POST /orders", Weight: 3}, {Route: "POST /payments", Weight: 1}, {Route: "GET /products", Weight: 0},
	}))
}
