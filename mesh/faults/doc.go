// Package faults holds the mesh's L7 fault filters, as proxy.Middleware (http.RoundTripper
// middlewares) so the gateway's and the sidecars' chains host them beside the policies.
//
// Static is Istio's HTTPFaultInjection from the route's policy: a delay, then an abort with an
// HTTP status, each for a percentage of the header-matched requests.
//
// Engine applies Chaos Mesh's HTTPChaos rules (HTTPRule), switched at run time with Set:
//
//	request ─▶ Request rules, each matching one in turn: abort → delay → replace → patch
//	  │ next.RoundTrip (the upstream executes the request)
//	  ▼
//	answer ─▶ Response rules (request fields tested on the modified request): same order
//
// An HTTPChaos abort writes no answer and closes the client's connection. A RoundTripper cannot
// do that itself: it returns ErrAbortConnection, and the handler serving the client must turn
// it into a closed connection. Abortable wraps such a handler (a proxy.Handler) and does it;
// AbortConnection closes a connection by hand.
package faults
