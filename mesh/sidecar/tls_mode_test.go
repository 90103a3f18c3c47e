package sidecar

import (
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/identitytest"
	"github.com/meshlab/meshlab/mesh/identity"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// TestMTLSListenerSwitchesMode serves plaintext and mTLS on one listener and refuses
// plaintext once the mode turns STRICT, without a rebind.
func TestMTLSListenerSwitchesMode(t *testing.T) {
	t.Parallel()
	caURL := identitytest.StartCA(t).URL()
	payment := identitytest.Source(t, caURL, "payment", 0)
	order := identitytest.Source(t, caURL, "order", 0)
	var strict atomic.Bool
	addr := serveInbound(t, whoami, func(ln net.Listener) net.Listener {
		return MTLSListener(ln, payment.ServerConfig(), strict.Load, payment.HandshakeFailed)
	})
	plain := &http.Client{Timeout: wait, Transport: &http.Transport{DisableKeepAlives: true}}
	mtls := mtlsOutbound(t, order, "payment", addr, false)

	code, _, body, err := fetchTLS(plain, http.MethodGet, "http://"+addr+"/")
	require.NoError(t, err, "DISABLE serves plaintext")
	assert.Equal(t, http.StatusOK, code)
	assert.Empty(t, body, "a plaintext caller has no identity")
	_, _, body, err = fetchTLS(http.DefaultClient, http.MethodGet, mtls+"/")
	require.NoError(t, err)
	assert.Equal(t, identity.ID("default", "order"), body, "mTLS works in DISABLE too")

	strict.Store(true)
	_, _, _, err = fetchTLS(plain, http.MethodGet, "http://"+addr+"/")
	assert.Error(t, err, "STRICT refuses plaintext")
	code, _, body, err = fetchTLS(http.DefaultClient, http.MethodGet, mtls+"/")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, identity.ID("default", "order"), body)
	assert.Eventually(t, func() bool { return payment.Stats().HandshakeFailures > 0 }, wait, 10*time.Millisecond)
}

func TestMTLSTransportFollowsMode(t *testing.T) {
	t.Parallel()
	caURL := identitytest.StartCA(t).URL()
	payment := identitytest.Source(t, caURL, "payment", 0)
	order := identitytest.Source(t, caURL, "order", 0)
	var strict atomic.Bool
	addr := serveInbound(t, whoami, func(ln net.Listener) net.Listener {
		return MTLSListener(ln, payment.ServerConfig(), func() bool { return false }, nil)
	})
	out := proxyWith(t, MTLSTransport(order, strict.Load, proxy.NewTransport()), "payment", addr)

	_, _, body, err := fetchTLS(http.DefaultClient, http.MethodGet, out+"/")
	require.NoError(t, err)
	assert.Empty(t, body, "plaintext while not strict")
	strict.Store(true)
	_, _, body, err = fetchTLS(http.DefaultClient, http.MethodGet, out+"/")
	require.NoError(t, err)
	assert.Equal(t, identity.ID("default", "order"), body, "mTLS once strict")
}
