package faults

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"

	"github.com/meshlab/meshlab/internal/sleep"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// ReasonFaultAbort marks (X-Meshlab-Reason) an answer a static fault made.
const ReasonFaultAbort = "fault-abort"

// RouteFaults returns the faults of r's route policy (proxy.CallOf(r).Route.Policy.Faults);
// nil outside a proxy call or without a policy.
func RouteFaults(r *http.Request) []policy.Fault {
	if c := proxy.CallOf(r); c != nil && c.Route.Policy != nil {
		return c.Route.Policy.Faults
	}
	return nil
}

// Static returns the middleware of Istio's HTTPFaultInjection: for every fault whose headers
// all match exactly, Delay.Percent % of requests wait FixedDelay (the context's end cuts the
// wait), then Abort.Percent % are answered locally with HTTPStatus, a JSON body and
// X-Meshlab-Reason: fault-abort, without calling next. get supplies the faults (nil:
// RouteFaults); rnd draws uniformly from [0, 1) (nil: math/rand/v2).
func Static(get func(*http.Request) []policy.Fault, rnd func() float64) proxy.Middleware {
	if get == nil {
		get = RouteFaults
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	return func(next http.RoundTripper) http.RoundTripper {
		return proxy.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			for _, f := range get(r) {
				if !headersMatch(f.Headers, r.Header) {
					continue
				}
				if d := f.Delay; d != nil && d.FixedDelay.Duration > 0 && rnd()*100 < d.Percent {
					if !sleep.For(r.Context(), d.FixedDelay.Duration) {
						return nil, r.Context().Err()
					}
				}
				if a := f.Abort; a != nil && rnd()*100 < a.Percent {
					return abortAnswer(r, a.HTTPStatus), nil
				}
			}
			return next.RoundTrip(r)
		})
	}
}

// headersMatch reports whether every header of want has a value equal to its value in h.
func headersMatch(want map[string]string, h http.Header) bool {
	for name, v := range want {
		found := false
		for _, got := range h.Values(name) {
			found = found || got == v
		}
		if !found {
			return false
		}
	}
	return true
}

// abortAnswer is a static fault's local answer.
func abortAnswer(r *http.Request, status int) *http.Response {
	body, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{fmt.Sprintf("fault injected: abort with %d", status)})
	body = append(body, '\n')
	h := http.Header{
		"Content-Type":     {"application/json"},
		"Content-Length":   {strconv.Itoa(len(body))},
		proxy.ReasonHeader: {ReasonFaultAbort},
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), StatusCode: status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)),
		Request: r,
	}
}
