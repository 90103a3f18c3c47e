// Package policy holds the governance policy of the mesh — the MeshPolicy document — as the
// control plane distributes it and the sidecars and the gateway enforce it. The shapes follow
// what Istio and Envoy users already think in: a DestinationRule's trafficPolicy (connection
// pool, outlier detection, load balancer, subsets), a VirtualService's http route (timeout,
// retries, fault, weighted subsets, header matches), Envoy/Linkerd retry budgets, and an
// AuthorizationPolicy. One document covers the whole mesh:
//
//	apiVersion: meshlab.dev/v1alpha1
//	kind: MeshPolicy
//	spec:
//	  services:                  # per destination service
//	    payment:
//	      timeout: 2s
//	      retries: {attempts: 3, perTryTimeout: 500ms, retryOn: [5xx, reset, connect-failure]}
//	      routes:                # per-route overrides ("METHOD /path/pattern")
//	        "POST /payments": {retries: {attempts: 1}}
//	  gateway: {rateLimits: [...], apiKeys: {...}, maxRequestBytes: 1048576}
//	  security: {mtls: {mode: STRICT, certTTL: 1h}, authorization: {default: DENY, rules: [...]}}
//
// The package is imported by meshd, so it depends on the standard library only. Documents
// arrive as JSON from the control plane; the scenario loader decodes the YAML form with line
// numbers and calls Validate.
package policy
