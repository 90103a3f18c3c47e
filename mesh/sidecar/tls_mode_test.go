package sidecar

import (
	"io"
	"log"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/identity"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// TestMTLSListenerSwitchesMode serves plaintext and mTLS on one listener and refuses
// plaintext once the mode turns STRICT, without a rebind.
func TestMTLSListenerSwitchesMode(t *testing.T) {
	t.Parallel()
	caURL := startCAServer(t)
	payment := runSource(t, caURL, "payment", 0)
	order := runSource(t, caURL, "order", 0)
	var strict atomic.Bool
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := &http.Server{Handler: whoami, ConnContext: TLSConnContext, ErrorLog: log.New(io.Discard, "", 0)}
	go hs.Serve(MTLSListener(ln, payment.ServerConfig(), strict.Load, payment.HandshakeFailed))
	t.Cleanup(func() { hs.Close() })
	addr := ln.Addr().String()
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
	caURL := startCAServer(t)
	payment := runSource(t, caURL, "payment", 0)
	order := runSource(t, caURL, "order", 0)
	var strict atomic.Bool
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := &http.Server{Handler: whoami, ConnContext: TLSConnContext, ErrorLog: log.New(io.Discard, "", 0)}
	go hs.Serve(MTLSListener(ln, payment.ServerConfig(), func() bool { return false }, nil))
	t.Cleanup(func() { hs.Close() })
	out := proxyWith(t, MTLSTransport(order, strict.Load, proxy.NewTransport()), "payment", ln.Addr().String())

	_, _, body, err := fetchTLS(http.DefaultClient, http.MethodGet, out+"/")
	require.NoError(t, err)
	assert.Empty(t, body, "plaintext while not strict")
	strict.Store(true)
	_, _, body, err = fetchTLS(http.DefaultClient, http.MethodGet, out+"/")
	require.NoError(t, err)
	assert.Equal(t, identity.ID("default", "order"), body, "mTLS once strict")
}
