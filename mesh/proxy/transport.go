package proxy

import (
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
