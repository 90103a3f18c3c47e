package sidecar

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/identitytest"
	"github.com/meshlab/meshlab/mesh/identity"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
)

func TestAuthzDecides(t *testing.T) {
	t.Parallel()
	order := Peer{ID: identity.ID("default", "order"), Service: "order"}
	gateway := Peer{ID: identity.ID("default", "gateway"), Service: "gateway"}
	anon := Peer{}
	rules := []policy.AuthRule{
		{Action: policy.Deny, From: []string{"order"}, To: "payment", Paths: []string{"/payments/*/refund"}},
		{Action: policy.Allow, From: []string{"order"}, To: "payment", Methods: []string{"POST"}},
		{Action: policy.Allow, From: []string{identity.ID("default", "gateway")}, To: "payment", Paths: []string{"/payments*"}, Methods: []string{"get"}},
		{Action: policy.Allow, From: []string{"*"}, To: "user"},
	}
	tests := []struct {
		name         string
		def          string
		peer         Peer
		method, path string
		want         bool
	}{
		{"first rule denies refunds", policy.Deny, order, "POST", "/payments/7/refund", false},
		{"second rule allows POST", policy.Deny, order, "POST", "/payments", true},
		{"method not listed falls to default deny", policy.Deny, order, "GET", "/payments", false},
		{"method not listed falls to default allow", policy.Allow, order, "GET", "/payments", true},
		{"empty default allows", "", order, "GET", "/payments", true},
		{"gateway by spiffe id, wildcard path, method case", policy.Deny, gateway, "GET", "/payments/42", true},
		{"gateway wrong method", policy.Deny, gateway, "DELETE", "/payments/42", false},
		{"unauthenticated caller matches no named source", policy.Deny, anon, "POST", "/payments", false},
		{"rules of another destination are skipped", policy.Deny, order, "GET", "/users/1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc := "payment"
			if tt.path == "/users/1" {
				svc = "product"
			}
			a := &Authz{Service: svc, Policy: func() *policy.Authorization {
				return &policy.Authorization{Default: tt.def, Rules: rules}
			}}
			assert.Equal(t, tt.want, a.Allowed(tt.peer, tt.method, tt.path))
		})
	}
}

func TestAuthzNilPolicyAllows(t *testing.T) {
	t.Parallel()
	assert.True(t, (&Authz{Service: "payment"}).Allowed(Peer{}, "GET", "/"))
	a := &Authz{Service: "payment", Policy: func() *policy.Authorization { return nil }}
	assert.True(t, a.Allowed(Peer{}, "GET", "/"))
}

func TestGlobMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "/anything/at/all", true},
		{"/users/*", "/users/1", true},
		{"/users/*", "/products/1", false},
		{"/users", "/users/1", false},
		{"*/refund", "/payments/1/refund", true},
		{"/a/*/c/*", "/a/b/c/d", true},
		{"/a/*/c/*", "/a/b/d", false},
		{"/a*a", "/a", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, globMatch(tt.pattern, tt.s), "%q ~ %q", tt.pattern, tt.s)
	}
}

func TestAuthzDeniesOverMTLS(t *testing.T) {
	t.Parallel()
	caURL := identitytest.StartCA(t).URL()
	payment := identitytest.Source(t, caURL, "payment", 0)
	order := identitytest.Source(t, caURL, "order", 0)
	user := identitytest.Source(t, caURL, "user", 0)
	authz := &Authz{Service: "payment", Policy: func() *policy.Authorization {
		return &policy.Authorization{Default: policy.Deny, Rules: []policy.AuthRule{
			{Action: policy.Allow, From: []string{"order"}, To: "payment", Methods: []string{"POST"}},
		}}
	}}
	addr := serveStrict(t, payment, authz.Wrap(whoami))

	code, _, body, err := fetchTLS(http.DefaultClient, http.MethodPost, mtlsOutbound(t, order, "payment", addr, true)+"/payments")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, identity.ID("default", "order"), body)

	code, reason, body, err := fetchTLS(http.DefaultClient, http.MethodPost, mtlsOutbound(t, user, "payment", addr, true)+"/payments")
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, code)
	assert.Equal(t, ReasonAuthzDenied, reason)
	assert.Contains(t, body, identity.ID("default", "user"))
	assert.Equal(t, uint64(1), authz.Denied())
}

func TestAuthzMiddlewareFailsWithProxyError(t *testing.T) {
	t.Parallel()
	a := &Authz{Service: "payment", Policy: func() *policy.Authorization {
		return &policy.Authorization{Default: policy.Deny}
	}}
	reached := false
	rt := a.Middleware()(roundTripFunc(func(*http.Request) (*http.Response, error) {
		reached = true
		return &http.Response{StatusCode: http.StatusOK}, nil
	}))
	req, _ := http.NewRequest(http.MethodGet, "http://payment/payments", nil)
	_, err := rt.RoundTrip(req)
	var pe *proxy.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, http.StatusForbidden, pe.Status)
	assert.Equal(t, ReasonAuthzDenied, pe.Reason)
	assert.False(t, reached)
	assert.Equal(t, uint64(1), a.Denied())
}
