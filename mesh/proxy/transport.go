package proxy

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httputil"
	"sync"
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
)

// NewTransport returns the HTTP/1.1 transport of a proxy: keep-alive with many idle
// connections per host, a short connect timeout, no proxy from the environment, bodies passed
// as they are (no compression).
func NewTransport() *http.Transport {
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

// NewTLSTransport returns NewTransport's transport with every new connection a TLS client
// (mutual TLS when the config presents a certificate). Its config is tlsFor's for the
// destination service of the request that dials (its Call's Route.Service; "" for a request
// no Handler sent). A failed handshake is passed to onFail (nil: ignored) and fails the dial
// like a refused connection: nothing was sent, so the request may go elsewhere. Requests
// keep the http scheme; the connection is what speaks TLS.
func NewTLSTransport(tlsFor func(service string) *tls.Config, onFail func(error)) *http.Transport {
	d := &net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second}
	return NewTLSTransportDial(d.DialContext, tlsFor, onFail)
}

// NewTLSTransportDial is NewTLSTransport whose connections dial is (a dialer from the
// workload's own address, through a network-fault engine) before the TLS handshake.
func NewTLSTransportDial(dial func(ctx context.Context, network, addr string) (net.Conn, error),
	tlsFor func(service string) *tls.Config, onFail func(error)) *http.Transport {
	t := NewTransport()
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		raw, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		var service string
		if c, ok := ctx.Value(callKey{}).(*Call); ok {
			service = c.Route.Service
		}
		conn := tls.Client(raw, tlsFor(service))
		hctx, cancel := context.WithTimeout(ctx, DialTimeout)
		defer cancel()
		if err := conn.HandshakeContext(hctx); err != nil {
			raw.Close()
			if onFail != nil {
				onFail(err)
			}
			return nil, &net.OpError{Op: "dial", Net: network, Addr: raw.RemoteAddr(), Err: err}
		}
		return conn, nil
	}
	return t
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

var _ httputil.BufferPool = bufferPool{}
