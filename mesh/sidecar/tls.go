package sidecar

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/meshlab/meshlab/mesh/identity"
)

// HandshakeTimeout bounds an inbound TLS handshake.
const HandshakeTimeout = 10 * time.Second

// TLSListener returns a listener whose Accept hands out only connections that completed a TLS
// handshake with cfg (for mTLS: identity.Source.ServerConfig). Handshakes run concurrently,
// off the accept loop; a failed one (a plain client, an unknown CA, no certificate) closes
// the connection and is passed to onFail (nil: ignored). The connections are *tls.Conn, so an
// http.Server sets Request.TLS.
func TLSListener(ln net.Listener, cfg *tls.Config, onFail func(error)) net.Listener {
	return newTLSListener(ln, cfg, nil, onFail)
}

func newTLSListener(ln net.Listener, cfg *tls.Config, strict func() bool, onFail func(error)) *tlsListener {
	if onFail == nil {
		onFail = func(error) {}
	}
	l := &tlsListener{Listener: ln, cfg: cfg, strict: strict, onFail: onFail,
		conns: make(chan net.Conn), done: make(chan struct{}), stopped: make(chan struct{})}
	go l.acceptLoop()
	return l
}

type tlsListener struct {
	net.Listener
	cfg     *tls.Config
	strict  func() bool // nil: every connection must be TLS; else see MTLSListener
	onFail  func(error)
	conns   chan net.Conn
	done    chan struct{} // closed by Close
	stopped chan struct{} // closed when the accept loop ended, err set
	err     error
	once    sync.Once
}

func (l *tlsListener) acceptLoop() {
	defer close(l.stopped)
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			l.err = err
			return
		}
		go l.handshake(c)
	}
}

func (l *tlsListener) handshake(c net.Conn) {
	if l.strict != nil {
		pc, isTLS, err := sniff(c)
		switch {
		case err != nil:
			c.Close()
			return
		case !isTLS && l.strict():
			c.Close()
			l.onFail(ErrPlaintext)
			return
		case !isTLS:
			l.deliver(pc)
			return
		}
		c = pc
	}
	tc := tls.Server(c, l.cfg)
	ctx, cancel := context.WithTimeout(context.Background(), HandshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		c.Close()
		l.onFail(err)
		return
	}
	l.deliver(tc)
}

// deliver hands c to Accept, or closes it when the listener closed.
func (l *tlsListener) deliver(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}

// Accept returns the next connection that completed its handshake.
func (l *tlsListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.stopped:
		return nil, l.err
	}
}

// Close stops accepting; connections in their handshake are closed.
func (l *tlsListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// Peer is the authenticated caller of an inbound request.
type Peer struct {
	ID      string // SPIFFE ID; "" for a caller without a mesh certificate
	Service string // the ID's service ("gateway" for the gateway)
}

type peerKey struct{}

// TLSConnContext is an http.Server ConnContext: it reads the caller's identity once per
// connection from a handshaken *tls.Conn (TLSListener's) into the connection's context.
func TLSConnContext(ctx context.Context, c net.Conn) context.Context {
	tc, ok := c.(*tls.Conn)
	if !ok {
		return ctx
	}
	cs := tc.ConnectionState()
	id, svc := identity.PeerIdentity(&cs)
	return context.WithValue(ctx, peerKey{}, Peer{ID: id, Service: svc})
}

// PeerOf returns the caller of r: from the context TLSConnContext prepared, else from r.TLS;
// the zero Peer for a plaintext caller.
func PeerOf(r *http.Request) Peer {
	if p, ok := r.Context().Value(peerKey{}).(Peer); ok {
		return p
	}
	id, svc := identity.PeerIdentity(r.TLS)
	return Peer{ID: id, Service: svc}
}

var _ net.Listener = (*tlsListener)(nil)
