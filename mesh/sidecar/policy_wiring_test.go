package sidecar

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// TestPolicyStaticFaultsAtInbound: the policy's static aborts on payment answer at payment's
// inbound, so every try of the caller meets them; turning them off takes the next request.
func TestPolicyStaticFaultsAtInbound(t *testing.T) {
	t.Parallel()
	caller := startPod(t, Config{Service: "order", Instance: "order-1"}, named("order-1"))
	pay := startPod(t, Config{Service: "payment", Instance: "payment-1"}, named("payment-1"))
	abort := &policy.MeshPolicy{Spec: policy.Spec{Services: map[string]policy.ServicePolicy{"payment": {
		Routes: map[string]policy.RoutePolicy{"POST /payments": {
			Faults: []policy.Fault{{Abort: &policy.FaultAbort{Percent: 100, HTTPStatus: 503}}}}}}}}}
	for _, p := range []*pod{caller, pay} {
		p.sc.Update(snapshotOf(1, abort, 1, pay))
	}
	a := do(t, "POST", caller.out.URL+"/payments", "payment", "{}", nil)
	assert.Equal(t, http.StatusServiceUnavailable, a.Code, a.Body)
	assert.Equal(t, "fault-abort", a.Header.Get("X-Meshlab-Reason"))
	assert.Equal(t, http.StatusOK, do(t, "POST", caller.out.URL+"/other", "payment", "{}", nil).Code)

	for _, p := range []*pod{caller, pay} {
		p.sc.Update(snapshotOf(2, &policy.MeshPolicy{}, 2, pay))
	}
	assert.Equal(t, http.StatusOK, do(t, "POST", caller.out.URL+"/payments", "payment", "{}", nil).Code)
}

// TestRouteForDoesNotAllocate: once a route is resolved, resolving it again costs nothing.
func TestRouteForDoesNotAllocate(t *testing.T) {
	p := startPod(t, Config{Service: "order", Instance: "order-1"}, nil)
	doc := &policy.MeshPolicy{Spec: policy.Spec{Services: map[string]policy.ServicePolicy{"product": {
		Routes: map[string]policy.RoutePolicy{
			"GET /products/{id}": {Retries: &policy.RetryPolicy{Attempts: 2}},
			"GET /products":      {Timeout: dur("1s")},
		}}}}}
	p.sc.Update(snapshotOf(1, doc, 1))
	req := httptest.NewRequest("GET", "/products/42?x=1", nil)
	var rt proxy.Route
	allocs := testing.AllocsPerRun(200, func() { rt = p.sc.out.RouteFor("product", req) })
	assert.Zero(t, allocs)
	require.NotNil(t, rt.Policy)
	assert.Equal(t, "GET /products/{id}", rt.Policy.Route)
	assert.Equal(t, 2, rt.Retries)
}

func TestAuthorizationPolicy(t *testing.T) {
	t.Parallel()
	p := startPod(t, Config{Service: "order", Instance: "order-1"}, nil)
	assert.Nil(t, p.sc.AuthorizationPolicy())
	authz := &policy.Authorization{Default: policy.Deny}
	p.sc.Update(snapshotOf(1, &policy.MeshPolicy{Spec: policy.Spec{Security: policy.SecurityPolicy{Authorization: authz}}}, 1))
	assert.Same(t, authz, p.sc.AuthorizationPolicy())
}
