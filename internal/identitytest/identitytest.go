// Package identitytest holds the mesh identity fixtures that the identity, sidecar and meshd
// tests share: a control plane CA on a loopback listener, which can be stopped and started again
// on its address, identity sources (or whatever keeps a certificate renewed) running until the
// test ends, and the strangers an mTLS server must refuse. Production code never imports it.
package identitytest

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/identity"
)

const (
	// Token is the run token the CA asks for and the sources send.
	Token = "run-token"
	// Namespace is the sources' namespace.
	Namespace = "default"
)

// CA is a control plane CA (its API only) served on a loopback listener.
type CA struct {
	CA   *controlplane.CA
	addr string
	mu   sync.Mutex
	hs   *http.Server
}

// StartCA serves a new CA until the test ends.
func StartCA(t testing.TB) *CA {
	t.Helper()
	ca, err := controlplane.NewCA(controlplane.CAOptions{Token: Token})
	require.NoError(t, err)
	s := &CA{CA: ca, addr: "127.0.0.1:0"}
	s.Start(t)
	t.Cleanup(s.Stop)
	return s
}

// URL is the CA's base URL.
func (s *CA) URL() string { return "http://" + s.addr }

// Start serves the CA again, on the address it had, after a Stop.
func (s *CA) Start(t testing.TB) {
	t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the old port may linger briefly after a stop
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.NoError(t, err)
	s.addr = ln.Addr().String()
	hs := &http.Server{Handler: s.CA.Handler()}
	meshtest.ServeOn(t, ln, hs)
	s.mu.Lock()
	s.hs = hs
	s.mu.Unlock()
}

// Stop takes the CA down: its listener and every connection close.
func (s *CA) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hs != nil {
		s.hs.Close()
		s.hs = nil
	}
}

// Source runs the identity of service in Namespace until the test ends, with certificates of
// ttl (0: the CA's default) from the CA at caURL, renewals retried after 50 to 300 ms; it
// returns once the first certificate is in.
func Source(t testing.TB, caURL, service string, ttl time.Duration) *identity.Source {
	t.Helper()
	src, err := identity.New(identity.Options{CAURL: caURL, Token: Token, Namespace: Namespace,
		Service: service, TTL: ttl, RetryMin: 50 * time.Millisecond, RetryMax: 300 * time.Millisecond})
	require.NoError(t, err)
	Run(t, func(ctx context.Context) { src.Run(ctx) }, src.Ready())
	return src
}

// Run runs run until the test ends, when it cancels run's context and waits for it to return,
// and waits for ready: the first certificate of whatever run keeps renewed.
func Run(t testing.TB, run func(context.Context), ready <-chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-ready:
	case <-time.After(meshtest.Wait):
		t.Fatal("no certificate")
	}
}

// Stranger is a caller that an mTLS server must refuse.
type Stranger struct {
	Name   string
	Client *http.Client
	URL    string
}

// Strangers are the callers that an mTLS server at addr must refuse: plain HTTP, TLS without a
// client certificate, and a service of another CA's mesh calling it as service. That CA and its
// source run until the test ends.
func Strangers(t testing.TB, addr, service string) []Stranger {
	t.Helper()
	other := Source(t, StartCA(t).URL(), "order", 0)
	return []Stranger{
		{"plain http", &http.Client{Timeout: meshtest.Wait}, "http://" + addr + "/"},
		{"tls without certificate", meshtest.TLSClient(&tls.Config{InsecureSkipVerify: true}, false), "https://" + addr + "/"},
		{"certificate of another CA", meshtest.TLSClient(other.ClientConfig(service), false), "https://" + addr + "/"},
	}
}
