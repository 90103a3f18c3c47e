package sidecar

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"time"
)

// ErrPlaintext is passed to a listener's onFail for a plaintext connection refused in STRICT mode.
var ErrPlaintext = errors.New("plaintext connection refused: mTLS is STRICT")

// recordTypeHandshake is the first byte of every TLS ClientHello.
const recordTypeHandshake = 0x16

// MTLSListener is TLSListener for a mode that policy switches at run time: it looks at each
// connection's first byte; a TLS ClientHello is handshaken with cfg (client certificate
// required), a plaintext connection is refused (closed, onFail(ErrPlaintext)) while strict()
// reports true and passed through as it is otherwise. So one listener serves both DISABLE
// and STRICT, and a policy change needs no rebind.
func MTLSListener(ln net.Listener, cfg *tls.Config, strict func() bool, onFail func(error)) net.Listener {
	if strict == nil {
		strict = func() bool { return true }
	}
	return newTLSListener(ln, cfg, strict, onFail)
}

// sniff reads c's first byte (waiting at most HandshakeTimeout) and returns c with that byte
// put back, and whether it starts a TLS handshake.
func sniff(c net.Conn) (net.Conn, bool, error) {
	var b [1]byte
	c.SetReadDeadline(time.Now().Add(HandshakeTimeout))
	_, err := io.ReadFull(c, b[:])
	c.SetReadDeadline(time.Time{})
	if err != nil {
		return nil, false, err
	}
	return &peekedConn{Conn: c, first: b[0], pending: true}, b[0] == recordTypeHandshake, nil
}

// peekedConn is a connection whose first byte was read already.
type peekedConn struct {
	net.Conn
	first   byte
	pending bool
}

// Read returns the peeked byte first.
func (c *peekedConn) Read(p []byte) (int, error) {
	if c.pending && len(p) > 0 {
		p[0] = c.first
		c.pending = false
		return 1, nil
	}
	return c.Conn.Read(p)
}

var _ net.Conn = (*peekedConn)(nil)
