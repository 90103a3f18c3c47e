package identity_test

import (
	"crypto/tls"
	"io"
	"net"
	"testing"

	"github.com/meshlab/meshlab/internal/identitytest"
	"github.com/meshlab/meshlab/internal/meshtest"
)

// BenchmarkHandshake is one mutual-TLS connection set-up between two mesh identities, both
// sides in this process, up to the first byte the server sends: full (certificates signed and
// verified both ways) and resumed (a session ticket from an earlier connection, as a sidecar
// reconnecting to an endpoint has).
func BenchmarkHandshake(b *testing.B) {
	ca := identitytest.StartCA(b)
	payment := identitytest.Source(b, ca.URL(), "payment", 0)
	order := identitytest.Source(b, ca.URL(), "order", 0)
	ln := meshtest.Listen(b, "127.0.0.1:0")
	meshtest.ServeConns(b, ln, func(c net.Conn) {
		tc := tls.Server(c, payment.ServerConfig())
		if _, err := tc.Write([]byte{1}); err == nil { // handshake, ticket, one byte
			io.Copy(io.Discard, tc)
		}
	})
	connect := func(b *testing.B, cfg *tls.Config) (resumed bool) {
		c, err := tls.Dial("tcp", ln.Addr().String(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		if _, err := io.ReadFull(c, make([]byte, 1)); err != nil { // takes the ticket in
			b.Fatal(err)
		}
		return c.ConnectionState().DidResume
	}
	for _, tt := range []struct {
		name  string
		cache bool
	}{{"full", false}, {"resumed", true}} {
		b.Run(tt.name, func(b *testing.B) {
			cfg := order.ClientConfig("payment").Clone()
			if !tt.cache {
				cfg.ClientSessionCache = nil
			}
			connect(b, cfg) // the first connection of either kind is a full handshake
			n, resumed := 0, 0
			for b.Loop() {
				n++
				if connect(b, cfg) {
					resumed++
				}
			}
			b.ReportMetric(float64(resumed)/float64(n), "resumed/op")
		})
	}
}
