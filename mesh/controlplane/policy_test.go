package controlplane

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/policy"
)

const policyToken = "run-token"

func retryPolicy(attempts int) policy.MeshPolicy {
	return policy.MeshPolicy{APIVersion: policy.APIVersion, Kind: policy.Kind, Spec: policy.Spec{
		Services: map[string]policy.ServicePolicy{"payment": {RoutePolicy: policy.RoutePolicy{
			Retries: &policy.RetryPolicy{Attempts: attempts}}}},
	}}
}

func TestPutPolicyReachesWatchersWithinASecond(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{Token: policyToken})
	rec := watch(t, ts.url)
	first := rec.await(t, "the first snapshot", func(Snapshot) bool { return true })
	assert.Zero(t, first.snap.PolicyVersion)
	assert.Nil(t, first.snap.Policy)

	c := NewClient(ts.url, nil)
	sent := time.Now()
	v, err := c.PutPolicy(context.Background(), policyToken, retryPolicy(3))
	require.NoError(t, err)
	got := rec.await(t, "the policy", func(s Snapshot) bool { return s.PolicyVersion == v })
	assert.Less(t, got.at.Sub(sent), time.Second, "policy reached the watcher late")
	assert.Equal(t, 3, got.snap.Policy.Spec.Services["payment"].Retries.Attempts)
	assert.Greater(t, v, first.snap.Version, "policy versions grow with snapshot versions")

	v2, err := c.PutPolicy(context.Background(), policyToken, retryPolicy(1))
	require.NoError(t, err)
	assert.Greater(t, v2, v)
	rec.await(t, "the second policy", func(s Snapshot) bool { return s.PolicyVersion == v2 })

	view, err := c.Policy(context.Background())
	require.NoError(t, err)
	assert.Equal(t, v2, view.Version)
	assert.Equal(t, 1, view.Policy.Spec.Services["payment"].Retries.Attempts)
}

func TestPutInvalidPolicyKeepsTheOld(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{Token: policyToken})
	c := NewClient(ts.url, nil)
	v, err := c.PutPolicy(context.Background(), policyToken, retryPolicy(2))
	require.NoError(t, err)

	bad := retryPolicy(-1)
	bad.Kind = "Nope"
	_, err = c.PutPolicy(context.Background(), policyToken, bad)
	var pe *PolicyError
	require.True(t, errors.As(err, &pe), "got %v", err)
	require.Len(t, pe.Problems, 2)
	assert.Contains(t, pe.Problems[0], "kind:")
	assert.Contains(t, pe.Problems[1], "spec.services.payment.retries.attempts: must be 0..10, got -1")

	view, err := c.Policy(context.Background())
	require.NoError(t, err)
	assert.Equal(t, v, view.Version)
	assert.Equal(t, 2, view.Policy.Spec.Services["payment"].Retries.Attempts)
}

func TestPutPolicyHTTP(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{Token: policyToken})
	tests := []struct {
		name, token, body string
		code              int
		want              string
	}{
		{"no token", "", `{"spec":{}}`, http.StatusUnauthorized, "token"},
		{"wrong token", "nope", `{"spec":{}}`, http.StatusUnauthorized, "token"},
		{"unknown field", policyToken, `{"spec":{"servicez":{}}}`, http.StatusBadRequest, "servicez"},
		{"bad duration", policyToken, `{"spec":{"services":{"user":{"timeout":"soon"}}}}`, http.StatusBadRequest, "duration"},
		{"invalid", policyToken, `{"spec":{"services":{"user":{"timeout":"-1s"}}}}`, http.StatusBadRequest,
			"spec.services.user.timeout: must not be negative"},
		{"valid", policyToken, `{"spec":{"services":{"user":{"timeout":"1s"}}}}`, http.StatusOK, `"version"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPut, ts.url+pathPolicy, strings.NewReader(tt.body))
			require.NoError(t, err)
			if tt.token != "" {
				req.Header.Set(adminapi.TokenHeader, tt.token)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tt.code, resp.StatusCode, "%s", b)
			assert.Contains(t, string(b), tt.want)
		})
	}
	view, err := NewClient(ts.url, nil).Policy(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "1s", view.Policy.Spec.Services["user"].Timeout.String())
}

// TestPolicyAfterRestart: a restarted control plane has no policy (PolicyVersion 0, which
// sidecars ignore while they hold one); a policy PUT after the restart gets a greater version
// and reaches the watcher within a second.
func TestPolicyAfterRestart(t *testing.T) {
	t.Parallel()
	first := startServer(t, ServerOptions{Token: policyToken, ResyncGrace: -1})
	c := NewClient(first.url, meshtest.Logger(t))
	rec := watch(t, first.url)
	v1, err := c.PutPolicy(context.Background(), policyToken, retryPolicy(3))
	require.NoError(t, err)
	rec.await(t, "the first policy", func(s Snapshot) bool { return s.PolicyVersion == v1 })

	first.stop()
	second := startServerOn(t, first.addr(), ServerOptions{Token: policyToken, ResyncGrace: -1})
	lost := rec.await(t, "the restarted control plane", func(s Snapshot) bool { return second.cp.store.issued(s.Version) })
	assert.Zero(t, lost.snap.PolicyVersion)
	assert.Nil(t, lost.snap.Policy)

	sent := time.Now()
	v2, err := c.PutPolicy(context.Background(), policyToken, retryPolicy(1))
	require.NoError(t, err)
	assert.Greater(t, v2, v1, "policy versions go on upward across restarts")
	got := rec.await(t, "the policy PUT again", func(s Snapshot) bool { return s.PolicyVersion == v2 })
	assert.Less(t, got.at.Sub(sent), time.Second)
}
