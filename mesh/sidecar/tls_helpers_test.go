package sidecar

import (
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/identity"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// serveInbound serves h as an inbound listener does (TLSConnContext), on a loopback listener
// that wrap makes, until the test ends; it returns the address.
func serveInbound(t *testing.T, h http.Handler, wrap func(net.Listener) net.Listener) string {
	t.Helper()
	return meshtest.ServeOn(t, wrap(meshtest.Listen(t, "127.0.0.1:0")), &http.Server{Handler: h, ConnContext: TLSConnContext})
}

// serveStrict serves h on a STRICT mTLS inbound listener of src; it returns the address.
func serveStrict(t *testing.T, src *identity.Source, h http.Handler) string {
	t.Helper()
	return serveInbound(t, h, func(ln net.Listener) net.Listener {
		return TLSListener(ln, src.ServerConfig(), src.HandshakeFailed)
	})
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
	return meshtest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.Serve(w, r, p.Route(service))
	}))
}

// fetchTLS sends url and returns the status, the reason header and the body.
func fetchTLS(c *http.Client, method, url string) (int, string, string, error) {
	a, err := meshtest.Fetch(c, method, url)
	return a.Code, a.Header.Get(proxy.ReasonHeader), a.Body, err
}
