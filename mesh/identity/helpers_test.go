package identity_test

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/identity"
)

const (
	testToken = "run-token"
	testNS    = "default"
	wait      = 10 * time.Second
)

// caServer is a control plane CA on a real loopback listener that can be stopped and
// restarted on the same address.
type caServer struct {
	ca   *controlplane.CA
	addr string
	mu   sync.Mutex
	hs   *http.Server
}

func startCA(t testing.TB) *caServer {
	t.Helper()
	ca, err := controlplane.NewCA(controlplane.CAOptions{Token: testToken})
	require.NoError(t, err)
	s := &caServer{ca: ca, addr: "127.0.0.1:0"}
	s.start(t)
	t.Cleanup(s.stop)
	return s
}

func (s *caServer) url() string { return "http://" + s.addr }

func (s *caServer) start(t testing.TB) {
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
	hs := &http.Server{Handler: s.ca.Handler()}
	go hs.Serve(ln)
	s.mu.Lock()
	s.hs = hs
	s.mu.Unlock()
}

func (s *caServer) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hs != nil {
		s.hs.Close()
		s.hs = nil
	}
}

// newSource runs a Source for service until the test ends and waits for its certificate.
func newSource(t testing.TB, ca *caServer, service string, ttl time.Duration) *identity.Source {
	t.Helper()
	src, err := identity.New(identity.Options{CAURL: ca.url(), Token: testToken, Namespace: testNS,
		Service: service, TTL: ttl, RetryMin: 50 * time.Millisecond, RetryMax: 300 * time.Millisecond})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); src.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-src.Ready():
	case <-time.After(wait):
		t.Fatal("no certificate")
	}
	return src
}

// serveMTLS serves an echo of the caller's SPIFFE ID over TLS with cfg.
func serveMTLS(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, _ := identity.PeerIdentity(r.TLS)
			w.Write([]byte(id))
		}),
		ErrorLog: quietLog(),
	}
	go hs.Serve(tls.NewListener(ln, cfg))
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String()
}

// mtlsClient is a client whose connections use cfg; keepAlive false: a new connection per request.
func mtlsClient(cfg *tls.Config, keepAlive bool) *http.Client {
	return &http.Client{Timeout: wait, Transport: &http.Transport{
		TLSClientConfig: cfg, DisableKeepAlives: !keepAlive, ForceAttemptHTTP2: false,
	}}
}

func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
