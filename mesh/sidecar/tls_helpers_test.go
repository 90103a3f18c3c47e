package sidecar

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/identity"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// startCAServer serves a control plane with a CA on a real loopback listener.
func startCAServer(t *testing.T) string {
	t.Helper()
	ca, err := controlplane.NewCA(controlplane.CAOptions{Token: testToken})
	require.NoError(t, err)
	cp := controlplane.NewServer(controlplane.ServerOptions{CA: ca, Token: testToken})
	ts := httptest.NewServer(cp.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

// runSource runs the identity of service until the test ends.
func runSource(t *testing.T, caURL, service string, ttl time.Duration) *identity.Source {
	t.Helper()
	src, err := identity.New(identity.Options{CAURL: caURL, Token: testToken, Namespace: "default",
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

// serveStrict serves h on a STRICT mTLS inbound listener of src; it returns the address.
func serveStrict(t *testing.T, src *identity.Source, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := &http.Server{Handler: h, ConnContext: TLSConnContext, ErrorLog: log.New(io.Discard, "", 0)}
	go hs.Serve(TLSListener(ln, src.ServerConfig(), src.HandshakeFailed))
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String()
}

// whoami answers the caller's SPIFFE ID.
var whoami = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, PeerOf(r).ID)
})

// mtlsOutbound is an outbound proxy speaking mTLS as src to service at addr, served on a
// loopback listener; keepAlive false opens a connection per request.
func mtlsOutbound(t *testing.T, src *identity.Source, service, addr string, keepAlive bool) string {
	t.Helper()
	tr := proxy.NewTLSTransport(src.ClientConfig, src.HandshakeFailed)
	tr.DisableKeepAlives = !keepAlive
	return proxyWith(t, tr, service, addr)
}

// proxyWith is an outbound proxy sending through rt to service at addr, served on a loopback
// listener.
func proxyWith(t *testing.T, rt http.RoundTripper, service, addr string) string {
	t.Helper()
	p := proxy.New(proxy.Options{Transport: rt, Timeout: wait})
	p.Update(controlplane.Snapshot{Version: 1, Services: map[string][]controlplane.Instance{
		service: {{ID: service + "-1", Service: service, Addr: addr, Ready: true}},
	}})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.Serve(w, r, p.Route(service))
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

// fetchTLS sends url and returns the status, the reason header and the body.
func fetchTLS(c *http.Client, method, url string) (int, string, string, error) {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		return 0, "", "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get(proxy.ReasonHeader), string(b), err
}
