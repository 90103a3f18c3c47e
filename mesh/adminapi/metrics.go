package adminapi

// Metric names at /metrics. Every meshlab_ series carries the labels role ("sidecar",
// "gateway") and mesh_instance; the request series also side, source, destination, route and
// code.
const (
	NameRequests        = "meshlab_requests_total"
	NameDuration        = "meshlab_request_duration_seconds"
	NameTries           = "meshlab_tries_total"
	NameRateLimited     = "meshlab_rate_limited_total"
	NameRetries         = "meshlab_retries_total"
	NamePolicyRequests  = "meshlab_retry_policy_requests_total"
	NameBudgetExhausted = "meshlab_retry_budget_exhausted_total"
	NameEjections       = "meshlab_ejections_total"
	NameEjected         = "meshlab_ejected_endpoints"
	NameOverflows       = "meshlab_breaker_overflows_total"
	NameHTTPChaos       = "meshlab_httpchaos_applied_total"
	NameNetfaultEvents  = "meshlab_netfault_events_total"
	NameNetfaultBytes   = "meshlab_netfault_bytes_total"
	NameMTLSFailures    = "meshlab_mtls_handshake_failures_total"
	NameAuthzDenied     = "meshlab_authz_denied_total"
)

// Sides of a request, the values of the side label.
const (
	SidePublic   = "public"   // the gateway's public listener: one per client request
	SideInbound  = "inbound"  // a sidecar's inbound listener: one per try that reached it
	SideOutbound = "outbound" // a proxy's request chain: one per proxied request, tries inside
)
