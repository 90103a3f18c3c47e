package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/http/httputil"
	"net/textproto"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Transport tuning: a mesh hop keeps many connections alive to few hosts.
const (
	// DialTimeout bounds connecting to an endpoint; a refused connection fails at once.
	DialTimeout = time.Second
	// MaxIdleConnsPerHost keeps enough idle connections per endpoint for a busy route (the
	// default 2 closes a socket after most requests under concurrency).
	MaxIdleConnsPerHost = 256
	// MaxIdleConns bounds idle connections over every endpoint.
	MaxIdleConns = 4096
	// IdleConnTimeout closes an idle connection after this long, also one to an endpoint that
	// left the table.
	IdleConnTimeout = 90 * time.Second
	// BufferSize is the size of the buffers copying bodies.
	BufferSize = 32 << 10
	// MaxDirectBody is the largest request body Transport writes itself; a larger one, or one
	// of unknown length, goes through net/http's transport, which writes it while it reads the
	// answer (an upstream may answer before it has read the whole body).
	MaxDirectBody = 64 << 10
	// connBufferSize is the size of each connection's read and write buffers.
	connBufferSize = 4 << 10
	// max1xx bounds the informational answers read before the final one (as net/http does).
	max1xx = 5
	// MaxResponseHeaderBytes bounds an answer's head, informational answers included: an
	// upstream that sends more fails the request (net/http's transport allows 10 MiB by
	// default; a proxy needs far less, and holds every byte of it).
	MaxResponseHeaderBytes = 1 << 20
)

// DialFunc connects to an endpoint, like net.Dialer.DialContext.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Transport is a proxy's HTTP/1.1 transport. It sends a request and reads its answer on the
// goroutine that called RoundTrip, on a keep-alive connection of its own pool, where
// net/http's transport hands every request to a writing and a reading goroutine per
// connection: at 1,000 requests a second those hand-offs cost a bare proxy a fifth of its
// CPU, and a sidecar 5–10% of its CPU and 20–25 µs of its added p50 (README, Benchmarks).
// The wire format is net/http's own (Request.Write, ReadResponse). Requests it does not carry
// itself go through net/http's transport on the same dialer: upgrades, Expect: 100-continue,
// and bodies over MaxDirectBody or of unknown length.
//
// Keep-alive as net/http's: a connection returns to the pool once its answer's body has been
// read to the end (or had none); one whose body was closed early, whose request's context
// ended, or that either side marked Connection: close is closed. Before a pooled connection
// carries a request it is checked for having been closed or spoken on by the peer while it was
// idle (one non-blocking peek at its socket), and dropped if so. net/http's transport keeps a
// reading goroutine on every idle connection to notice that, and silently sends a replayable
// request again when its reused connection dies before an answer; Transport never sends a
// request twice by itself, so every try on the wire is one the retry policy chose and counted,
// and a fault that aborts connections is not hidden.
type Transport struct {
	// DialContext connects to an endpoint; nil: a net.Dialer with DialTimeout.
	DialContext DialFunc
	// DisableKeepAlives closes each connection after one request.
	DisableKeepAlives bool
	// IdleConnTimeout closes a connection idle this long; 0: the package's IdleConnTimeout.
	IdleConnTimeout time.Duration

	tlsFor func(service string) *tls.Config // nil: plain connections
	onFail func(error)

	fallback atomic.Pointer[http.Transport] // made on first use

	mu    sync.Mutex
	idle  map[string][]*persistConn // per endpoint, oldest first
	nIdle int
	sweep *time.Timer // armed while any connection is idle
}

// NewTransport returns a proxy's plaintext transport.
func NewTransport() *Transport {
	d := &net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second}
	return &Transport{DialContext: d.DialContext}
}

// NewTLSTransport returns NewTransport's transport with every new connection a TLS client
// (mutual TLS when the config presents a certificate). Its config is tlsFor's for the
// destination service of the request that dials (its Call's Route.Service; "" for a request
// no Handler sent). A failed handshake is passed to onFail (nil: ignored) and fails the dial
// like a refused connection: nothing was sent, so the request may go elsewhere. Requests
// keep the http scheme; the connection is what speaks TLS.
func NewTLSTransport(tlsFor func(service string) *tls.Config, onFail func(error)) *Transport {
	d := &net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second}
	return NewTLSTransportDial(d.DialContext, tlsFor, onFail)
}

// NewTLSTransportDial is NewTLSTransport whose connections dial is (a dialer from the
// workload's own address, through a network-fault engine) before the TLS handshake.
func NewTLSTransportDial(dial DialFunc, tlsFor func(service string) *tls.Config, onFail func(error)) *Transport {
	return &Transport{DialContext: dial, tlsFor: tlsFor, onFail: onFail}
}

// NewHTTPTransport returns net/http's transport tuned as a proxy's: keep-alive with many idle
// connections per host, a short connect timeout, no proxy from the environment, bodies passed
// as they are (no compression). It is the bare reference proxy's transport in the benchmarks,
// and carries what Transport does not.
func NewHTTPTransport() *http.Transport {
	d := &net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		MaxIdleConns:          MaxIdleConns,
		MaxIdleConnsPerHost:   MaxIdleConnsPerHost,
		IdleConnTimeout:       IdleConnTimeout,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     false,
		DisableCompression:    true,
	}
}

// dial connects to addr and, for a TLS transport, completes the handshake.
func (t *Transport) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	dial := t.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second}).DialContext
	}
	raw, err := dial(ctx, network, addr)
	if err != nil || t.tlsFor == nil {
		return raw, err
	}
	var service string
	if c, ok := ctx.Value(callKey{}).(*Call); ok {
		service = c.Route.Service
	}
	conn := tls.Client(raw, t.tlsFor(service))
	hctx, cancel := context.WithTimeout(ctx, DialTimeout)
	defer cancel()
	if err := conn.HandshakeContext(hctx); err != nil {
		raw.Close()
		if t.onFail != nil {
			t.onFail(err)
		}
		return nil, &net.OpError{Op: "dial", Net: network, Addr: raw.RemoteAddr(), Err: err}
	}
	return conn, nil
}

// httpTransport returns the net/http transport that carries what Transport does not, on the
// same dialer.
func (t *Transport) httpTransport() *http.Transport {
	if f := t.fallback.Load(); f != nil {
		return f
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.fallback.Load(); f != nil {
		return f
	}
	f := NewHTTPTransport()
	f.DialContext = t.dial
	f.DisableKeepAlives = t.DisableKeepAlives
	f.IdleConnTimeout = t.idleTimeout()
	t.fallback.Store(f)
	return f
}

// CloseIdleConnections closes every idle connection.
func (t *Transport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle, t.nIdle = nil, 0
	if t.sweep != nil {
		t.sweep.Stop()
		t.sweep = nil
	}
	t.mu.Unlock()
	for _, l := range idle {
		for _, pc := range l {
			pc.conn.Close()
		}
	}
	if f := t.fallback.Load(); f != nil {
		f.CloseIdleConnections()
	}
}

// direct reports whether Transport carries req itself.
func direct(req *http.Request) bool {
	if req.URL.Scheme != "http" || len(req.Header["Upgrade"]) > 0 || len(req.TransferEncoding) > 0 {
		return false
	}
	if e := req.Header["Expect"]; len(e) > 0 {
		return false
	}
	return req.Body == nil || req.Body == http.NoBody || req.ContentLength > 0 && req.ContentLength <= MaxDirectBody
}

// RoundTrip sends req and returns its answer.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !direct(req) {
		return t.httpTransport().RoundTrip(req)
	}
	pc, err := t.conn(req.Context(), req.URL.Host)
	if err != nil {
		closeRequestBody(req)
		return nil, err
	}
	if t.DisableKeepAlives && !req.Close {
		r := *req
		r.Close = true // Connection: close, so the upstream closes its end too
		req = &r
	}
	return pc.roundTrip(req)
}

// closeRequestBody closes the body of a request that is not sent.
func closeRequestBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// conn returns a connection to addr: a pooled one the peer has not closed, or a new one.
func (t *Transport) conn(ctx context.Context, addr string) (pc *persistConn, err error) {
	for !t.DisableKeepAlives {
		pc := t.get(addr)
		if pc == nil {
			break
		}
		if alive(pc) {
			return pc, nil
		}
		pc.conn.Close()
	}
	c, err := t.dial(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	pc = &persistConn{t: t, addr: addr, conn: c, bw: bufio.NewWriterSize(c, connBufferSize)}
	pc.lr = limitReader{r: c, left: -1}
	pc.br = bufio.NewReaderSize(&pc.lr, connBufferSize)
	return pc, nil
}

// get takes addr's most recently pooled connection; nil when none.
func (t *Transport) get(addr string) *persistConn {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.idle[addr]
	n := len(l)
	if n == 0 {
		return nil
	}
	pc := l[n-1]
	l[n-1] = nil
	t.idle[addr] = l[:n-1]
	t.nIdle--
	return pc
}

// put pools pc, or closes it when the pool is full.
func (t *Transport) put(pc *persistConn) {
	pc.idleAt = time.Now()
	t.mu.Lock()
	if t.nIdle >= MaxIdleConns || len(t.idle[pc.addr]) >= MaxIdleConnsPerHost {
		t.mu.Unlock()
		pc.conn.Close()
		return
	}
	if t.idle == nil {
		t.idle = make(map[string][]*persistConn)
	}
	t.idle[pc.addr] = append(t.idle[pc.addr], pc)
	t.nIdle++
	if t.sweep == nil {
		t.sweep = time.AfterFunc(t.idleTimeout(), t.closeExpired)
	}
	t.mu.Unlock()
}

func (t *Transport) idleTimeout() time.Duration {
	if t.IdleConnTimeout > 0 {
		return t.IdleConnTimeout
	}
	return IdleConnTimeout
}

// closeExpired closes the connections idle for IdleConnTimeout and waits for the next to be.
func (t *Transport) closeExpired() {
	now, timeout := time.Now(), t.idleTimeout()
	var expired []*persistConn
	t.mu.Lock()
	next := time.Duration(0)
	for addr, l := range t.idle {
		i := 0
		for i < len(l) && now.Sub(l[i].idleAt) >= timeout {
			i++
		}
		expired = append(expired, l[:i]...)
		if i == len(l) {
			delete(t.idle, addr)
		} else {
			t.idle[addr] = append(l[:0:0], l[i:]...)
			if d := timeout - now.Sub(l[i].idleAt); next == 0 || d < next {
				next = d
			}
		}
	}
	t.nIdle -= len(expired)
	t.sweep = nil
	if next > 0 {
		t.sweep = time.AfterFunc(next, t.closeExpired)
	}
	t.mu.Unlock()
	for _, pc := range expired {
		pc.conn.Close()
	}
}

// persistConn is a keep-alive connection to one endpoint.
type persistConn struct {
	t      *Transport
	addr   string
	conn   net.Conn
	lr     limitReader // under br: bounds an answer's head
	br     *bufio.Reader
	bw     *bufio.Writer
	idleAt time.Time
}

// aLongTimeAgo is a deadline that has passed: it interrupts a connection's reads and writes.
var aLongTimeAgo = time.Unix(1, 0)

var errClosedBody = errors.New("http: read on closed response body")

// roundTrip writes req on pc and reads its answer's head. An ended context interrupts it, and
// the answer's body, by a deadline in the past.
func (pc *persistConn) roundTrip(req *http.Request) (*http.Response, error) {
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
	pc.lr.left = MaxResponseHeaderBytes - int64(pc.br.Buffered())
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
	pc.lr.left = -1
	if err != nil {
		if errors.Is(err, errHeaderTooLarge) {
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

var errHeaderTooLarge = errors.New("answer's head over MaxResponseHeaderBytes")

// limitReader reads r, at most left bytes when left is not negative.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return l.r.Read(p)
	}
	if l.left == 0 {
		return 0, errHeaderTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// release pools pc after its answer, or closes it when it cannot carry another request: the
// answer asked to close, the context ended, or the peer sent more than the answer.
func (pc *persistConn) release(stop func() bool, keep bool) {
	if stop() && keep && pc.br.Buffered() == 0 {
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
	c := pc.conn
	for {
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		c = u.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	live := false
	var buf [1]byte
	err = rc.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		live = err == syscall.EAGAIN
		return true
	})
	return err == nil && live
}

// bufferPool lends BufferSize buffers to httputil.ReverseProxy. It pools array pointers, so
// neither Get nor Put allocates.
type bufferPool struct{}

var buffers = sync.Pool{New: func() any { return new([BufferSize]byte) }}

func (bufferPool) Get() []byte { return buffers.Get().(*[BufferSize]byte)[:] }

func (bufferPool) Put(b []byte) {
	if cap(b) < BufferSize {
		return
	}
	buffers.Put((*[BufferSize]byte)(b[:BufferSize]))
}

var (
	_ httputil.BufferPool = bufferPool{}
	_ http.RoundTripper   = (*Transport)(nil)
)
