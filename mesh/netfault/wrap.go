package netfault

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/meshlab/meshlab/internal/sleep"
)

// DialFunc dials like net.Dialer.DialContext.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Listener wraps ln so that every accepted connection is shaped by e.
func (e *Engine) Listener(ln net.Listener) net.Listener { return &listener{Listener: ln, e: e} }

type listener struct {
	net.Listener
	e *Engine
}

// Accept accepts the next connection and wraps it.
func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newConn(l.e, c), nil
}

// DialContext wraps dial: a partitioned peer hangs the dial until ctx ends (no RST), a delayed
// or lossy one delays the connect (SYN retransmissions start at 1 s), and every connection is
// shaped by e.
func (e *Engine) DialContext(dial DialFunc) DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if ap, err := netip.ParseAddrPort(addr); err == nil && !e.set.Load().empty() {
			if err := e.connect(ctx, ap.Addr().Unmap()); err != nil {
				return nil, &net.OpError{Op: "dial", Net: network, Err: err}
			}
		}
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return newConn(e, c), nil
	}
}

// connect waits what the SYN to peer would: through a partition, its delay and its losses.
func (e *Engine) connect(ctx context.Context, peer netip.Addr) error {
	if err := e.holdDial(ctx, peer); err != nil {
		return err
	}
	var d time.Duration
	rto := time.Second
	for _, r := range e.set.Load().match(peer) {
		d += r.drawDelay()
		for i := 0; r.lossy() && i < MaxRetransmits && r.drawLost(); i++ {
			d += rto
			rto = min(2*rto, MaxRTO)
		}
	}
	if !sleep.For(ctx, d) {
		return ctx.Err()
	}
	return nil
}

// holdDial waits while a partition covers peer, until ctx ends.
func (e *Engine) holdDial(ctx context.Context, peer netip.Addr) error {
	if e.set.Load().partition(peer) == nil {
		return nil
	}
	counted := false
	for {
		changed := e.watch()
		p := e.set.Load().partition(peer)
		if p == nil {
			return nil
		}
		if !counted {
			p.count.blackholed.Add(1)
			counted = true
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

var _ net.Listener = (*listener)(nil)
