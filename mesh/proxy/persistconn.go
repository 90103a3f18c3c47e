package proxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"sync"
	"syscall"
	"time"
)

// persistConn is a keep-alive connection to one endpoint.
type persistConn struct {
	t      *Transport
	addr   string
	conn   net.Conn
	lr     io.LimitedReader // under br: bounds an answer's head, unlimited otherwise
	br     *bufio.Reader    // lent from readers while a request is in flight, nil while pooled
	bw     *bufio.Writer    // lent from writers likewise
	idleAt time.Time

	sock    syscall.RawConn       // for the liveness peek, found once; nil: none to peek at
	peek    func(fd uintptr) bool // pc.peekSocket as a value, made once
	peekBuf [1]byte
	live    bool // the last peek's verdict
}

// readers and writers lend connections their buffers while a request is in flight: a pooled
// connection holds none, so the idle connections a burst leaves behind cost 8 KiB less each
// (Envoy, too, allocates a connection's buffers only while data passes).
var (
	readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, connBufferSize) }}
	writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, connBufferSize) }}
)

// borrow lends pc its buffers for a request.
func (pc *persistConn) borrow() {
	pc.br = readers.Get().(*bufio.Reader)
	pc.br.Reset(&pc.lr)
	pc.bw = writers.Get().(*bufio.Writer)
	pc.bw.Reset(pc.conn)
}

// giveBack returns pc's buffers once its answer is read whole and nothing is left in them.
// Only a connection going back to the pool gives them back: one that is closed may still have
// a read in flight on another goroutine, and leaves its buffers to the collector.
func (pc *persistConn) giveBack() {
	pc.br.Reset(nil)
	readers.Put(pc.br)
	pc.bw.Reset(nil)
	writers.Put(pc.bw)
	pc.br, pc.bw = nil, nil
}

// aLongTimeAgo is a deadline that has passed: it interrupts a connection's reads and writes.
var aLongTimeAgo = time.Unix(1, 0)

var errClosedBody = errors.New("http: read on closed response body")

// roundTrip writes req on pc and reads its answer's head. An ended context interrupts it, and
// the answer's body, by a deadline in the past.
func (pc *persistConn) roundTrip(req *http.Request) (*http.Response, error) {
	pc.borrow()
	ctx := req.Context()
	stop := context.AfterFunc(ctx, func() { pc.conn.SetDeadline(aLongTimeAgo) })
	fail := func(err error) (*http.Response, error) {
		stop()
		pc.conn.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return nil, err
	}
	err := req.Write(pc.bw)
	if err == nil {
		err = pc.bw.Flush()
	}
	if err != nil {
		return fail(err)
	}
	pc.lr.N = MaxResponseHeaderBytes - int64(pc.br.Buffered())
	resp, err := http.ReadResponse(pc.br, req)
	for n := 0; err == nil && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols; n++ {
		if n == max1xx {
			return fail(errors.New("proxy: too many 1xx informational answers"))
		}
		if trace := httptrace.ContextClientTrace(ctx); trace != nil && trace.Got1xxResponse != nil {
			if err := trace.Got1xxResponse(resp.StatusCode, textproto.MIMEHeader(resp.Header)); err != nil {
				return fail(err)
			}
		}
		resp, err = http.ReadResponse(pc.br, req)
	}
	overran := pc.lr.N == 0
	pc.lr.N = unlimited
	if err != nil {
		if overran {
			err = fmt.Errorf("proxy: the answer's head exceeded %d bytes", MaxResponseHeaderBytes)
		}
		return fail(err)
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		return fail(errors.New("unexpected 101 Switching Protocols to a request without Upgrade"))
	}
	keep := !resp.Close && !req.Close && !pc.t.DisableKeepAlives
	if resp.Body == http.NoBody {
		pc.release(stop, keep)
		return resp, nil
	}
	resp.Body = &responseBody{pc: pc, body: resp.Body, stop: stop, ctx: ctx, keep: keep}
	return resp, nil
}

// release pools pc after its answer, or closes it when it cannot carry another request: the
// answer asked to close, the context ended, or the peer sent more than the answer.
func (pc *persistConn) release(stop func() bool, keep bool) {
	if stop() && keep && pc.br.Buffered() == 0 {
		pc.giveBack()
		pc.t.put(pc)
		return
	}
	pc.conn.Close()
}

// responseBody is an answer's body on a pooled connection.
type responseBody struct {
	mu   sync.Mutex
	pc   *persistConn
	body io.ReadCloser
	stop func() bool
	ctx  context.Context
	keep bool
	done bool
	err  error
}

// Read reads the body; at its end the connection returns to the pool. Close may interrupt it
// from another goroutine.
func (b *responseBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	if b.done {
		err := b.err
		b.mu.Unlock()
		return 0, err
	}
	b.mu.Unlock()
	n, err := b.body.Read(p)
	if err == nil {
		return n, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done { // closed meanwhile: the connection is gone
		return n, b.err
	}
	b.done = true
	if err == io.EOF {
		b.err = io.EOF
		b.pc.release(b.stop, b.keep)
		return n, io.EOF
	}
	b.stop()
	b.pc.conn.Close()
	if b.ctx.Err() != nil {
		err = fmt.Errorf("%w (%v)", b.ctx.Err(), err)
	}
	b.err = err
	return n, err
}

// Close ends the body; before its end, that closes the connection (what is left of the
// answer is not read).
func (b *responseBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.done {
		b.done = true
		b.stop()
		b.pc.conn.Close()
	}
	b.err = errClosedBody
	return nil
}

// alive reports whether a pooled connection can carry a request: the peer has neither closed
// it nor sent anything on it. A connection that does not show its socket is taken as alive.
func alive(pc *persistConn) bool {
	if pc.sock == nil {
		return true
	}
	return pc.sock.Read(pc.peek) == nil && pc.live
}

// peekSocket looks at the socket without taking anything from it or waiting: alive when there is
// nothing to read yet.
func (pc *persistConn) peekSocket(fd uintptr) bool {
	_, _, err := syscall.Recvfrom(int(fd), pc.peekBuf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	pc.live = err == syscall.EAGAIN
	return true
}

// socketOf returns the socket under c, through TLS and fault shaping (their NetConn); nil when
// c shows none.
func socketOf(c net.Conn) syscall.RawConn {
	for {
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		c = u.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}
