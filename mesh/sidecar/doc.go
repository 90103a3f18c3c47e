// Package sidecar is the per-instance proxy of the data plane. A Sidecar serves three listeners:
//
//	other sidecars, gateway ──▶ Inbound ──[Config.Inbound…]──▶ app (Config.App, keep-alive)
//	                                      app unset or refusing: 503 app-unavailable
//
//	local service ──▶ Outbound ──▶ proxy.Proxy ──▶ an endpoint of the service named by Host
//	  (Host: payment)              timeout → [OutboundRequest…] → retry → pick →
//	                               [OutboundAttempt…] → transport
//
//	harness ──▶ Admin (run token) ── /healthz, /v1/config, PUT /v1/app
//
// Both directions are proxy chains of http.RoundTripper middlewares (see mesh/proxy): the
// inbound chain is where fault filters (HTTPChaos abort, delay, replace, patch) and authz plug
// in, the outbound chains where retry budgets, circuit breaking and outlier detection do.
//
// The control plane is wired by the caller: it feeds Update with every snapshot, and flips the
// instance's readiness from OnAppChange, which fires when PUT /v1/app (or SetApp) starts or
// stops the service process.
package sidecar
