package proxy

import (
	"context"
	"crypto/tls"
	"io"
	"math"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
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
	// unlimited is a connection's read limit outside an answer's head.
	unlimited = math.MaxInt64
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
// no Handler sent). A failed handshake is passed to onFail (nil: ignored; not one the request's
// end or deadline cut short) and fails the dial like a refused connection: nothing was sent,
// so the request may go elsewhere. Requests keep the http scheme; the connection is what
// speaks TLS.
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
		if t.onFail != nil && !ended(ctx) {
			t.onFail(err) // the peer's failure, not the request's end
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
func (t *Transport) conn(ctx context.Context, addr string) (*persistConn, error) {
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
	pc := &persistConn{t: t, addr: addr, conn: c}
	pc.lr = io.LimitedReader{R: c, N: unlimited}
	pc.sock, pc.peek = socketOf(c), pc.peekSocket
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

var _ http.RoundTripper = (*Transport)(nil)
