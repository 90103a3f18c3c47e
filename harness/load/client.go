package load

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Client settings of an attack.
const (
	// DefaultTimeout is the client timeout per request of a load that names none.
	DefaultTimeout = 10 * time.Second
	// MaxBody is how many bytes of a response body vegeta reads into a result. Attack keeps
	// them only for failed requests (they carry the error); BytesIn is always the full size.
	MaxBody = 4 << 10
	// MaxIdleConnsPerHost is the keep-alive pool of the client: enough that an open-model
	// attack reuses connections instead of dialling anew under load.
	MaxIdleConnsPerHost = 10000
)

// seqHeader is the request header in which vegeta numbers each hit.
const seqHeader = "X-Vegeta-Seq"

// newClient returns the attack's keep-alive client and the byte counter under it. It goes to
// the gateway directly (no environment proxy), asks for no compression and follows no redirect.
func newClient(timeout time.Duration) (*http.Client, *byteCounter) {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext:         dialer.DialContext,
		MaxIdleConnsPerHost: MaxIdleConnsPerHost,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	bc := &byteCounter{next: tr, sizes: make(map[uint64]uint64)}
	return &http.Client{
		Transport: bc,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}, bc
}

// byteCounter is an http.RoundTripper that counts the full size of every response body, keyed
// by the hit's sequence number, beneath vegeta's MaxBody truncation.
type byteCounter struct {
	next http.RoundTripper

	mu    sync.Mutex
	sizes map[uint64]uint64 // by seq, set when the body is closed, removed by take
}

// RoundTrip implements http.RoundTripper.
func (bc *byteCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := bc.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	seq, perr := strconv.ParseUint(req.Header.Get(seqHeader), 10, 64)
	if perr == nil {
		resp.Body = &countedBody{ReadCloser: resp.Body, seq: seq, bc: bc}
	}
	return resp, nil
}

// take returns and forgets the body size of hit seq; ok is false if no body was closed for it.
func (bc *byteCounter) take(seq uint64) (n uint64, ok bool) {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	n, ok = bc.sizes[seq]
	delete(bc.sizes, seq)
	return n, ok
}

func (bc *byteCounter) put(seq, n uint64) {
	bc.mu.Lock()
	bc.sizes[seq] = n
	bc.mu.Unlock()
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the transport beneath.
func (bc *byteCounter) CloseIdleConnections() {
	if tr, ok := bc.next.(interface{ CloseIdleConnections() }); ok {
		tr.CloseIdleConnections()
	}
}

// countedBody counts what is read through it and reports the count when closed. Vegeta reads
// and closes a body in the worker that sent the request, before it returns the result.
type countedBody struct {
	io.ReadCloser
	seq    uint64
	bc     *byteCounter
	n      uint64
	closed bool
}

func (b *countedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += uint64(n)
	return n, err
}

func (b *countedBody) Close() error {
	if !b.closed {
		b.closed = true
		b.bc.put(b.seq, b.n)
	}
	return b.ReadCloser.Close()
}
