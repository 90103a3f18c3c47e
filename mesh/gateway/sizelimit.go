package gateway

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"

	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// SizeLimit returns the middleware refusing request bodies over the policy's MaxRequestBytes
// with 413: at once when Content-Length says so; a body of unknown length (chunked) is cut at
// the limit (http.MaxBytesReader, which also closes the connection afterwards), and the answer
// becomes a 413 if it is not under way yet.
func SizeLimit(get func() *policy.GatewayPolicy) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var limit int64
			if gp := get(); gp != nil {
				limit = gp.MaxRequestBytes
			}
			switch {
			case limit <= 0 || r.Body == nil || r.Body == http.NoBody:
				next.ServeHTTP(w, r)
			case r.ContentLength > limit:
				tooLarge(w, limit)
			case r.ContentLength >= 0:
				next.ServeHTTP(w, r) // the server reads no more than Content-Length
			default:
				sw := &sizeWriter{ResponseWriter: w, limit: limit}
				r.Body = &sizeBody{ReadCloser: http.MaxBytesReader(w, r.Body, limit), over: &sw.over}
				next.ServeHTTP(sw, r)
			}
		})
	}
}

func tooLarge(w http.ResponseWriter, limit int64) {
	proxy.WriteError(w, http.StatusRequestEntityTooLarge, ReasonTooLarge,
		fmt.Sprintf("request body over %d bytes", limit))
}

// sizeBody notes when the body went over the limit.
type sizeBody struct {
	io.ReadCloser
	over *atomic.Bool
}

func (b *sizeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		b.over.Store(true)
	}
	return n, err
}

// sizeWriter replaces the answer with a 413 when the body went over the limit before the
// answer's header was written.
type sizeWriter struct {
	http.ResponseWriter
	limit   int64
	over    atomic.Bool
	wrote   bool
	refused bool
}

func (w *sizeWriter) WriteHeader(code int) {
	switch {
	case w.wrote:
		return
	case code < 200 && !w.over.Load():
		w.ResponseWriter.WriteHeader(code) // informational: the real answer follows
		return
	}
	w.wrote = true
	if !w.over.Load() {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.refused = true
	clear(w.ResponseWriter.Header())
	tooLarge(w.ResponseWriter, w.limit)
}

func (w *sizeWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.refused {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the server's writer (flushes, hijacks).
func (w *sizeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

var (
	_ io.ReadCloser       = (*sizeBody)(nil)
	_ http.ResponseWriter = (*sizeWriter)(nil)
)
