package services

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// maxBody bounds a request body; every body of the API is far smaller.
const maxBody = 1 << 20

// maxPooled keeps buffers that grew on a rare huge answer out of the pool.
const maxPooled = 256 << 10

// Header names of the API.
const (
	headerIdempotencyKey = "Idempotency-Key"
	headerReplayed       = "Idempotent-Replayed"
	headerRequestID      = "X-Request-Id"
	headerTraceparent    = "Traceparent"
	headerTracestate     = "Tracestate"
)

// jsonType is shared by every response's header map; net/http only reads it.
var jsonType = []string{"application/json"}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuf() *bytes.Buffer { return bufPool.Get().(*bytes.Buffer) }

func putBuf(b *bytes.Buffer) {
	if b.Cap() > maxPooled {
		return
	}
	b.Reset()
	bufPool.Put(b)
}

// errorBody is every error answer: {"error": "..."}.
type errorBody struct {
	Error string `json:"error"`
}

// writeBody sends body, already JSON, with status.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	w.Write(body)
}

// writeJSON encodes v into a pooled buffer and sends it with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := getBuf()
	defer putBuf(buf)
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		buf.Reset()
		json.NewEncoder(buf).Encode(errorBody{Error: "encoding answer: " + err.Error()})
		status = http.StatusInternalServerError
	}
	writeBody(w, status, buf.Bytes())
}

// writeError sends {"error": msg} with status.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// readBody reads r's body into a pooled buffer; the caller hands it back with putBuf.
func readBody(w http.ResponseWriter, r *http.Request) (*bytes.Buffer, error) {
	buf := getBuf()
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		putBuf(buf)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fmt.Errorf("body over %d bytes", maxBody)
		}
		return nil, fmt.Errorf("reading body: %w", err)
	}
	return buf, nil
}

// decodeBody decodes r's JSON body into v; a failure is the message of a 400.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	buf, err := readBody(w, r)
	if err != nil {
		return err
	}
	defer putBuf(buf)
	return unmarshal(buf.Bytes(), v)
}

func unmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("bad JSON body: %w", err)
	}
	return nil
}

// drainClose reads what is left of a response body (so its connection is reused) and closes it.
func drainClose(rc io.ReadCloser) {
	io.Copy(io.Discard, io.LimitReader(rc, maxBody))
	rc.Close()
}
