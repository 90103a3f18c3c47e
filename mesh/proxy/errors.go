package proxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
)

// ReasonHeader names, on an answer the mesh made itself, why it made it.
const ReasonHeader = "X-Meshlab-Reason"

// Reasons of the answers the proxy makes itself.
const (
	ReasonNoEndpoints    = "no-endpoints"    // 503: the service has no live endpoint
	ReasonUnknownService = "unknown-service" // 404: no snapshot ever listed the service
	ReasonTimeout        = "timeout"         // 504: the route's timeout ran out
	ReasonConnectFailure = "connect-failure" // 503: no endpoint accepted a connection
	ReasonUpstreamError  = "upstream-error"  // 502: the connection failed after it was made
	ReasonClientBody     = "client-body"     // 400: the request's body could not be read
	ReasonClientGone     = "client-gone"     // 499 (logged only): the client went away
)

// statusClientClosed is what a proxy logs when the client went away before the answer
// (nginx's 499); nobody receives it.
const statusClientClosed = 499

// Error is a failure the chain answers itself: with Status, a JSON {"error": ...} body and
// X-Meshlab-Reason: Reason. Middlewares return one to fail a request on purpose.
type Error struct {
	Status int
	Reason string
	Err    error
}

func (e *Error) Error() string { return e.Reason + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// errNoEndpoints is the 503 of a service without a live endpoint.
func errNoEndpoints(service string) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Reason: ReasonNoEndpoints,
		Err: fmt.Errorf("no live endpoint of service %q", service)}
}

// IsConnectFailure reports whether err is a failure to connect: nothing was sent.
func IsConnectFailure(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// classify maps an error of the chain to the answer the client gets.
func classify(err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case IsConnectFailure(err):
		return &Error{Status: http.StatusServiceUnavailable, Reason: ReasonConnectFailure, Err: err}
	default:
		return &Error{Status: http.StatusBadGateway, Reason: ReasonUpstreamError, Err: err}
	}
}

// WriteError answers with status, X-Meshlab-Reason: reason (when not empty) and the JSON body
// {"error": msg}.
func WriteError(w http.ResponseWriter, status int, reason, msg string) {
	body, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	body = append(body, '\n')
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	h.Del("Content-Encoding")
	if reason != "" {
		h[ReasonHeader] = []string{reason}
	}
	w.WriteHeader(status)
	w.Write(body)
}

var _ error = (*Error)(nil)
