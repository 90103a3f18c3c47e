package services

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// Outbound client tuning: every call goes to one local sidecar listener, so keep plenty of
// idle connections to it.
const (
	// callTimeout is only a backstop: the sidecar's route timeout (the mesh policy) is what
	// bounds a call, so it must be able to exceed any sensible policy timeout.
	callTimeout      = 60 * time.Second // a whole call, answer body included
	dialTimeout      = 2 * time.Second
	keepAlive        = 30 * time.Second
	idleConns        = 256
	idleConnsPerHost = 128
	idleTimeout      = 90 * time.Second
)

// outbound sends an instance's calls to other services through its sidecar.
type outbound struct {
	target atomic.Pointer[target]
	client *http.Client
}

// target is where calls go: base, or err when there is nowhere to send them.
type target struct {
	base string // scheme://host:port, no trailing slash
	err  error
}

func newOutbound(base string) *outbound {
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: keepAlive}
	tr := &http.Transport{
		Proxy:                 nil, // the sidecar is the proxy
		DialContext:           d.DialContext,
		MaxIdleConns:          idleConns,
		MaxIdleConnsPerHost:   idleConnsPerHost,
		IdleConnTimeout:       idleTimeout,
		ExpectContinueTimeout: time.Second,
	}
	o := &outbound{client: &http.Client{
		Transport:     tr,
		Timeout:       callTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	o.target.Store(parseTarget(base))
	return o
}

// set moves calls to base and drops idle connections to the old listener.
func (o *outbound) set(base string) {
	o.target.Store(parseTarget(base))
	o.client.CloseIdleConnections()
}

func parseTarget(base string) *target {
	base = strings.TrimSuffix(base, "/")
	if base == "" {
		return &target{err: errors.New("no sidecar outbound listener configured")}
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &target{err: fmt.Errorf("sidecar outbound %q is not an http://host:port URL", base)}
	}
	return &target{base: base}
}

// trace is what an inbound request hands on to the calls it causes.
type trace struct {
	requestID, traceparent, tracestate string
}

func traceOf(r *http.Request) trace {
	return trace{
		requestID:   r.Header.Get(headerRequestID),
		traceparent: r.Header.Get(headerTraceparent),
		tracestate:  r.Header.Get(headerTracestate),
	}
}

// call is one request to another service.
type call struct {
	method string
	host   string // destination service, sent as Host
	path   string // escaped
	key    string // Idempotency-Key; empty: none
	body   any    // sent as JSON; nil: no body
	out    any    // a 2xx answer is decoded into it; nil: discarded
}

// do sends c through the sidecar and returns the answer's status. An error with status 0 means
// no answer (no listener, transport error, timeout); with a status, an undecodable 2xx answer.
func (o *outbound) do(ctx context.Context, tr trace, c call) (int, error) {
	t := o.target.Load()
	if t.err != nil {
		return 0, t.err
	}
	var body io.Reader
	if c.body != nil {
		b, err := json.Marshal(c.body) // not pooled: the transport may read it after Do returns
		if err != nil {
			return 0, fmt.Errorf("encoding %s request: %w", c.host, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, t.base+c.path, body)
	if err != nil {
		return 0, err
	}
	req.Host = c.host
	tr.set(req.Header, c)
	resp, err := o.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer drainClose(resp.Body)
	if c.out != nil && resp.StatusCode/100 == 2 {
		if err := json.NewDecoder(resp.Body).Decode(c.out); err != nil {
			return resp.StatusCode, fmt.Errorf("decoding %s answer: %w", c.host, err)
		}
	}
	return resp.StatusCode, nil
}

// set writes the headers of an outbound call.
func (tr trace) set(h http.Header, c call) {
	if c.body != nil {
		h["Content-Type"] = jsonType
	}
	for _, kv := range [...][2]string{
		{headerIdempotencyKey, c.key},
		{headerRequestID, tr.requestID},
		{headerTraceparent, tr.traceparent},
		{headerTracestate, tr.tracestate},
	} {
		if kv[1] != "" {
			h[kv[0]] = []string{kv[1]}
		}
	}
}
