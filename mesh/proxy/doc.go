// Package proxy is the outbound core of the data plane, shared by the sidecar and the gateway:
// an endpoint table fed by control-plane snapshots, load balancing, a per-route timeout and a
// basic retry, as a chain of small http.RoundTripper middlewares behind an
// httputil.ReverseProxy.
//
// A request passes two chains. The request chain runs once per request; the attempt chain runs
// once per try, after the retry decided to (re)try:
//
//	Handler.Serve(w, r, Route)            Call{Route, Key} put in the request's context
//	  │ httputil.ReverseProxy             hop-by-hop headers out, X-Forwarded-For appended,
//	  │                                   BufferPool (32 KiB), streamed answers flushed at once
//	  ▼
//	request chain ─ Timeout               one deadline for every try and the answer's body → 504
//	  │             Options.Request…      per request: rate limits, request-level faults
//	  │             Retry                 idempotent requests, on connect failure, lost
//	  │               │ ▲                 connection before an answer, or 503; body buffered
//	  ▼               ▼ │ (each try)
//	attempt chain ─ Pick                  Route.Service's endpoints: round robin, or rendezvous
//	  │                                   hashing of Idempotency-Key; skips endpoints tried
//	  │             Options.Attempt…      per try, endpoint known (Call.Endpoint): circuit
//	  │                                   breaking, outlier detection, faults
//	  ▼
//	Transport                             HTTP/1.1 on the calling goroutine, keep-alive (256
//	                                      idle conns per host), 1 s connect timeout; upgrades,
//	                                      100-continue, large bodies via net/http's transport
//
// A middleware that fails a request itself returns an *Error: its Status and Reason become the
// answer, a JSON {"error": ...} with X-Meshlab-Reason. Other errors of the chain are mapped by
// the Handler: a connect failure is a 503 (connect-failure), any other transport error a 502.
//
// The endpoint table (Table) is replaced whole on every snapshot and read without locks. Every
// in-flight request keeps the endpoint it picked, so an update never fails a request already
// sent; the next try and the next request see the new table.
package proxy
