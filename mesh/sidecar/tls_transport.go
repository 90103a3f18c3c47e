package sidecar

import (
	"net/http"

	"github.com/meshlab/meshlab/mesh/identity"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// MTLSTransport returns an outbound transport for a mode policy switches at run time: while
// strict() reports true, requests go over mutual TLS as src (verifying each destination's
// SPIFFE ID, handshake failures counted in src.Stats); otherwise over plain. Both modes dial
// with plain's dialer (the workload's own address, through its network-fault engine), and each
// keeps its own pool of connections, so a switch applies to the next request.
func MTLSTransport(src *identity.Source, strict func() bool, plain *proxy.Transport) http.RoundTripper {
	return &modeTransport{
		plain:  plain,
		mtls:   proxy.NewTLSTransportDial(plain.DialContext, src.ClientConfig, src.HandshakeFailed),
		strict: strict,
	}
}

type modeTransport struct {
	plain, mtls *proxy.Transport
	strict      func() bool
}

// RoundTrip sends r in the current mode.
func (t *modeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.strict() {
		return t.mtls.RoundTrip(r)
	}
	return t.plain.RoundTrip(r)
}

// CloseIdleConnections closes the idle connections of both modes.
func (t *modeTransport) CloseIdleConnections() {
	t.plain.CloseIdleConnections()
	t.mtls.CloseIdleConnections()
}

var _ http.RoundTripper = (*modeTransport)(nil)
