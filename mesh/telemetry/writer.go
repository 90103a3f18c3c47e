package telemetry

import (
	"bufio"
	"net"
	"net/http"
	"time"
)

// statusWriter remembers the status of an answer and when its headers went out.
type statusWriter struct {
	http.ResponseWriter
	start    time.Time
	at       time.Time
	code     int
	hijacked bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 && code >= 200 {
		w.code, w.at = code, time.Now()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code, w.at = http.StatusOK, time.Now()
	}
	return w.ResponseWriter.Write(p)
}

// Flush sends buffered data (streamed answers), when the underlying writer can.
func (w *statusWriter) Flush() {
	if w.code == 0 {
		w.code, w.at = http.StatusOK, time.Now()
	}
	http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack takes over the connection, when the underlying writer can (faults.AbortConnection).
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, b, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.hijacked = true
	}
	return c, b, err
}

// Unwrap returns the underlying writer (http.ResponseController).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// elapsed is the time from the request's start to its answer's headers, or to now when none.
func (w *statusWriter) elapsed() float64 {
	if w.at.IsZero() {
		return time.Since(w.start).Seconds()
	}
	return w.at.Sub(w.start).Seconds()
}

var (
	_ http.Flusher  = (*statusWriter)(nil)
	_ http.Hijacker = (*statusWriter)(nil)
)
