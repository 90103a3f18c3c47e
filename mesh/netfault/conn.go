package netfault

import (
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Tuning of the TCP model.
const (
	MaxQueue       = 4 << 20                // bytes queued per connection before Write blocks
	InitialRTO     = 200 * time.Millisecond // first retransmission timeout
	MaxRTO         = 60 * time.Second       // the RTO stops doubling here
	MaxRetransmits = 15                     // a write lost this often is sent anyway
	closeLinger    = 10 * time.Second       // how long a closed conn keeps sending queued data
)

// conn shapes the egress of one connection to peer. Without rules and queued data its Read and
// Write cost one atomic load.
type conn struct {
	net.Conn
	e       *Engine
	peer    netip.Addr
	shaped  atomic.Bool // a write was ever queued
	stashed atomic.Bool // a read was held back by a partition
	done    chan struct{}
	once    sync.Once
	rdl     atomic.Int64  // read deadline, unix nanoseconds, 0 for none
	rkick   chan struct{} // a read deadline moved
	wdl     atomic.Int64  // write deadline

	mu      sync.Mutex // guards the send queue below
	items   []item
	pending int
	lastDue time.Time
	rto     time.Duration
	running bool // the delivery goroutine runs
	closed  bool
	werr    error
	space   chan struct{}

	smu   sync.Mutex // guards stash
	stash []byte
}

type item struct {
	buf []byte
	due time.Time
}

func newConn(e *Engine, c net.Conn) *conn {
	return &conn{Conn: c, e: e, peer: peerOf(c.RemoteAddr()), done: make(chan struct{}),
		rto: InitialRTO, space: make(chan struct{}, 1), rkick: make(chan struct{}, 1)}
}

// peerOf is the IP of a remote address, invalid when it has none.
func peerOf(a net.Addr) netip.Addr {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.AddrPort().Addr().Unmap()
	}
	if ap, err := netip.ParseAddrPort(a.String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// Write queues b for delivery when a rule applies to the peer, and writes it at once otherwise.
func (c *conn) Write(b []byte) (int, error) {
	set := c.e.set.Load()
	if set.empty() && !c.shaped.Load() {
		return c.Conn.Write(b)
	}
	return c.queue(set.match(c.peer), b)
}

// Read reads from the peer; a partition holds it, and data already read, until it goes.
func (c *conn) Read(b []byte) (int, error) {
	if c.e.set.Load().empty() && !c.stashed.Load() {
		n, err := c.Conn.Read(b)
		if n == 0 || c.e.set.Load().empty() {
			return n, err
		}
		return c.arrived(b, n, err)
	}
	if err := c.hold(true); err != nil {
		return 0, err
	}
	if n, ok := c.unstash(b); ok {
		return n, nil
	}
	n, err := c.Conn.Read(b)
	return c.arrived(b, n, err)
}

// arrived holds n bytes just read while a partition lasts; at the read deadline they are kept
// for the next Read.
func (c *conn) arrived(b []byte, n int, err error) (int, error) {
	if n == 0 {
		return n, err
	}
	if herr := c.hold(true); herr != nil {
		c.smu.Lock()
		c.stash = append(c.stash, b[:n]...)
		c.stashed.Store(true)
		c.smu.Unlock()
		return 0, herr
	}
	return n, err
}

// unstash returns bytes kept by an earlier held read.
func (c *conn) unstash(b []byte) (int, bool) {
	c.smu.Lock()
	defer c.smu.Unlock()
	if len(c.stash) == 0 {
		return 0, false
	}
	n := copy(b, c.stash)
	c.stash = c.stash[n:]
	c.stashed.Store(len(c.stash) > 0)
	return n, true
}

// hold waits while a partition covers the peer, until Close or, when reading, the read
// deadline (which SetReadDeadline may move while it waits).
func (c *conn) hold(reading bool) error {
	if c.e.set.Load().partition(c.peer) == nil {
		return nil
	}
	counted := false
	for {
		changed := c.e.watch()
		p := c.e.set.Load().partition(c.peer)
		if p == nil {
			return nil
		}
		if !counted {
			p.count.blackholed.Add(1)
			counted = true
		}
		if err := c.waitChange(changed, reading); err != nil {
			return err
		}
	}
}

// waitChange waits for changed, Close, or a read deadline to pass or move.
func (c *conn) waitChange(changed <-chan struct{}, reading bool) error {
	var kick <-chan struct{}
	var timeout <-chan time.Time
	if reading {
		kick = c.rkick
		if dl := deadline(&c.rdl); !dl.IsZero() {
			wait := time.Until(dl)
			if wait <= 0 {
				return os.ErrDeadlineExceeded
			}
			t := time.NewTimer(wait)
			defer t.Stop()
			timeout = t.C
		}
	}
	select {
	case <-changed:
	case <-kick:
	case <-c.done:
		return net.ErrClosed
	case <-timeout:
		return os.ErrDeadlineExceeded
	}
	return nil
}

// Close closes at once unless data is queued; then reads stop and the data drains first, for
// at most closeLinger past its due time (TCP keeps sending after close).
func (c *conn) Close() error {
	first := false
	c.once.Do(func() { first = true; close(c.done) })
	if !first {
		return net.ErrClosed
	}
	c.mu.Lock()
	c.closed = true
	running, last := c.running, c.lastDue
	c.mu.Unlock()
	if !running {
		return c.Conn.Close()
	}
	if cr, ok := c.Conn.(interface{ CloseRead() error }); ok {
		_ = cr.CloseRead()
	}
	// Errors ignored: the delivery goroutine may have closed the connection meanwhile.
	_ = c.Conn.SetWriteDeadline(later(last, time.Now()).Add(closeLinger))
	return nil
}

// NetConn returns the connection c shapes, as tls.Conn's does: a proxy peeks at its socket to
// tell whether a pooled connection is still open.
func (c *conn) NetConn() net.Conn { return c.Conn }

// SetDeadline sets both deadlines.
func (c *conn) SetDeadline(t time.Time) error {
	c.rdl.Store(unixNano(t))
	c.wdl.Store(unixNano(t))
	c.kickRead()
	return c.Conn.SetDeadline(t)
}

// SetReadDeadline also bounds a read held by a partition.
func (c *conn) SetReadDeadline(t time.Time) error {
	c.rdl.Store(unixNano(t))
	c.kickRead()
	return c.Conn.SetReadDeadline(t)
}

func (c *conn) kickRead() {
	select {
	case c.rkick <- struct{}{}:
	default:
	}
}

// SetWriteDeadline also bounds a write waiting for queue space.
func (c *conn) SetWriteDeadline(t time.Time) error {
	c.wdl.Store(unixNano(t))
	return c.Conn.SetWriteDeadline(t)
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func deadline(v *atomic.Int64) time.Time {
	if n := v.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

var _ net.Conn = (*conn)(nil)
