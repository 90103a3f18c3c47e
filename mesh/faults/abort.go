package faults

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
)

// ErrAbortConnection is returned by a fault filter that aborts a request: the client must get
// no answer and see its connection closed (AbortConnection, or a handler under Abortable).
var ErrAbortConnection = errors.New("fault: abort connection")

// AbortConnection closes the connection of the request w answers, without writing anything:
// the client sees EOF or a reset. Where the connection cannot be hijacked (HTTP/2) it panics
// with http.ErrAbortHandler, which makes the server reset the stream; it must then be called
// from the handler's goroutine. A connection already hijacked is left alone.
func AbortConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	switch {
	case err == nil:
		conn.Close()
	case !errors.Is(err, http.ErrHijacked):
		panic(http.ErrAbortHandler)
	}
}

type abortKey struct{}

// Abortable wraps h, a handler whose chain may return ErrAbortConnection (a proxy.Handler
// with an Engine in its chain): once a filter aborted the request, whatever h writes is
// dropped and the client's connection is closed without an answer.
func Abortable(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		aw := &abortWriter{ResponseWriter: w}
		h.ServeHTTP(aw, r.WithContext(context.WithValue(r.Context(), abortKey{}, &aw.aborted)))
		if aw.aborted.Load() {
			AbortConnection(w)
		}
	})
}

// markAborted tells the Abortable handler of r, if any, that r is aborted.
func markAborted(r *http.Request) {
	if f, ok := r.Context().Value(abortKey{}).(*atomic.Bool); ok {
		f.Store(true)
	}
}

// abortWriter drops everything once the request is aborted.
type abortWriter struct {
	http.ResponseWriter
	aborted atomic.Bool
}

func (w *abortWriter) WriteHeader(code int) {
	if !w.aborted.Load() {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *abortWriter) Write(p []byte) (int, error) {
	if w.aborted.Load() {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *abortWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

var _ http.ResponseWriter = (*abortWriter)(nil)
