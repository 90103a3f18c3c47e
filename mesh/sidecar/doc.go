// Package sidecar is the per-instance proxy of the data plane. A Sidecar serves three listeners:
//
//	other sidecars, gateway ──▶ Inbound ──[Config.Inbound…]──▶ app (Config.App, keep-alive)
//	                                      app unset or refusing: 503 app-unavailable
//	ProbeApp ──connect every 100 ms──▶ app: readiness (OnAppChange)
//
//	local service ──▶ Outbound ──▶ proxy.Proxy ──▶ an endpoint of the service named by Host
//	  (Host: payment)              timeout → [OutboundRequest…] → retry → pick →
//	                               [OutboundAttempt…] → transport
//
//	harness ──▶ Admin (run token) ── /healthz, /v1/config, /v1/policy
//
// Both directions are proxy chains of http.RoundTripper middlewares (see mesh/proxy): the
// inbound chain is where fault filters (HTTPChaos abort, delay, replace, patch) and authz plug
// in, the outbound chains where retry budgets, circuit breaking and outlier detection do.
//
// Policy: every snapshot with a new PolicyVersion swaps the policy in force atomically (one
// with PolicyVersion 0, from a control plane that restarted and lost it, is ignored). Each
// outbound call resolves its effective policy (destination service and route, cached per
// policy version) into proxy.Call.Route.Policy when it starts, and keeps it to its end; the
// route's timeout and retry attempts replace Config.Timeout and Config.Retries when set. The
// outbound chain holds a proxy.Registry (retry budgets, circuit breaking, outlier detection,
// load balancing, subsets); the inbound chain resolves the instance's own service's policy
// and applies its static faults (faults.Static) right before the app, in the chain where
// HTTPChaos filters run, so each try of a caller meets them anew. GET /v1/policy answers
// {"version": N, "policy": {...}}.
//
// The control plane is wired by the caller: it feeds Update with every snapshot, and flips the
// instance's readiness from OnAppChange. The sidecar knows its app's readiness by itself, as a
// kubelet does: ProbeApp connects to the app every AppProbe (100 ms by default) and an inbound
// request the app refuses takes the instance out at once; nobody tells it the app started or
// stopped.
package sidecar
