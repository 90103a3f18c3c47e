package main

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/identitytest"
	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/policy"
)

// TestSecurityFollowsPolicy: the mode and the certificate lifetime follow the policy in force;
// a changed certTTL renews the certificate at once.
func TestSecurityFollowsPolicy(t *testing.T) {
	t.Parallel()
	ca, err := controlplane.NewCA(controlplane.CAOptions{})
	require.NoError(t, err)
	addr := meshtest.ServeOn(t, meshtest.Listen(t, "127.0.0.1:0"), &http.Server{Handler: ca.Handler()})

	sec, err := newSecurity(slog.New(slog.DiscardHandler), "http://"+addr, "default", "payment")
	require.NoError(t, err)
	identitytest.Run(t, sec.run, sec.src.Ready())
	assert.False(t, sec.isStrict(), "no policy: plaintext")
	assert.Greater(t, time.Until(sec.src.Certificate().Leaf.NotAfter), 30*time.Minute, "the CA's default lifetime")

	sec.setPolicy(&policy.MeshPolicy{Spec: policy.Spec{Security: policy.SecurityPolicy{
		MTLS: &policy.MTLS{Mode: policy.MTLSStrict, CertTTL: policy.Duration{Duration: 5 * time.Second}}}}})
	assert.True(t, sec.isStrict())
	require.Eventually(t, func() bool {
		return time.Until(sec.src.Certificate().Leaf.NotAfter) <= 5*time.Second
	}, 10*time.Second, 20*time.Millisecond, "certTTL applied at once")
	require.Eventually(t, func() bool { return sec.src.Stats().Rotations >= 2 }, 15*time.Second, 50*time.Millisecond,
		"renewed at half life")

	sec.setPolicy(nil)
	assert.False(t, sec.isStrict())
}
