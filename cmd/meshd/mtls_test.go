package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/policy"
)

// TestSecurityFollowsPolicy: the mode and the certificate lifetime follow the policy in force;
// a changed certTTL renews the certificate at once.
func TestSecurityFollowsPolicy(t *testing.T) {
	t.Parallel()
	ca, err := controlplane.NewCA(controlplane.CAOptions{})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := &http.Server{Handler: ca.Handler()}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })

	sec, err := newSecurity(slog.New(slog.DiscardHandler), "http://"+ln.Addr().String(), "default", "payment")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); sec.run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-sec.src.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("no certificate")
	}
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
