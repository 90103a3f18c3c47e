package policy

// APIVersion and Kind identify a MeshPolicy document.
const (
	APIVersion = "meshlab.dev/v1alpha1"
	Kind       = "MeshPolicy"
)

// MeshPolicy is the mesh's whole governance policy. Its zero value is the default policy: the
// sidecars' built-in timeout and basic retry, no limits, no security.
type MeshPolicy struct {
	APIVersion string   `json:"apiVersion,omitempty" yaml:"apiVersion,omitempty"`
	Kind       string   `json:"kind,omitempty" yaml:"kind,omitempty"`
	Metadata   Metadata `json:"metadata,omitzero" yaml:"metadata,omitempty"`
	Spec       Spec     `json:"spec" yaml:"spec"`
}

// Metadata names a policy document.
type Metadata struct {
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
}

// Spec is the policy proper.
type Spec struct {
	// Services holds the policy per destination service ("payment"), applied by every caller's
	// sidecar (and the gateway) when it calls that service; "*" applies to services not listed.
	Services map[string]ServicePolicy `json:"services,omitempty" yaml:"services,omitempty"`
	Gateway  GatewayPolicy            `json:"gateway,omitzero" yaml:"gateway,omitempty"`
	Security SecurityPolicy           `json:"security,omitzero" yaml:"security,omitempty"`
}

// ServicePolicy governs calls to one destination service. Route-level fields (timeout, retries,
// faults, split) can be overridden per route in Routes; the rest applies to the destination.
type ServicePolicy struct {
	RoutePolicy `json:",inline" yaml:",inline"`

	// Routes overrides the route-level fields per route, keyed "METHOD /path" with {name} path
	// segments as wildcards ("POST /payments", "GET /products/{id}"); a route's set fields
	// replace the service's.
	Routes map[string]RoutePolicy `json:"routes,omitempty" yaml:"routes,omitempty"`

	ConnectionPool   *ConnectionPool   `json:"connectionPool,omitempty" yaml:"connectionPool,omitempty"`
	OutlierDetection *OutlierDetection `json:"outlierDetection,omitempty" yaml:"outlierDetection,omitempty"`
	LoadBalancer     *LoadBalancer     `json:"loadBalancer,omitempty" yaml:"loadBalancer,omitempty"`
	// Subsets name groups of the service's instances by labels (version: v2), for splits.
	Subsets []Subset `json:"subsets,omitempty" yaml:"subsets,omitempty"`
}

// RoutePolicy is what can differ per route.
type RoutePolicy struct {
	// Timeout bounds the whole call, retries included (Istio's route timeout); 0: the default.
	Timeout Duration `json:"timeout,omitzero" yaml:"timeout,omitempty"`
	// Retries replaces the basic retry; nil: the default.
	Retries *RetryPolicy `json:"retries,omitempty" yaml:"retries,omitempty"`
	// Faults are Istio-style static faults on calls to this destination (HTTPFaultInjection).
	Faults []Fault `json:"faults,omitempty" yaml:"faults,omitempty"`
	// Split routes calls to subsets: the first matching header rule wins, else weights.
	Split *Split `json:"split,omitempty" yaml:"split,omitempty"`
}

// RetryPolicy is Istio's HTTPRetry plus Envoy's backoff and Linkerd/Envoy's retry budget.
type RetryPolicy struct {
	// Attempts is the number of retries after the first try (Istio's attempts); 0: no retries.
	Attempts int `json:"attempts" yaml:"attempts"`
	// PerTryTimeout bounds each try; 0: only the route timeout.
	PerTryTimeout Duration `json:"perTryTimeout,omitzero" yaml:"perTryTimeout,omitempty"`
	// RetryOn lists conditions as Envoy names them: "5xx", "gateway-error" (502/503/504),
	// "reset", "connect-failure", "retriable-status-codes" (with RetriableStatusCodes), or bare
	// status codes ("503"). Empty: connect-failure, reset, 503 (the basic retry's set).
	RetryOn              []string `json:"retryOn,omitempty" yaml:"retryOn,omitempty"`
	RetriableStatusCodes []int    `json:"retriableStatusCodes,omitempty" yaml:"retriableStatusCodes,omitempty"`
	// Backoff between tries: exponential from BaseInterval, capped at MaxInterval, full jitter
	// (Envoy: base 25ms, max 10× base). Zero: Envoy's defaults.
	Backoff *Backoff `json:"backoff,omitempty" yaml:"backoff,omitempty"`
	// Budget caps retries as a share of requests (Linkerd's retry budget, Envoy's
	// retry_budget); nil: no budget.
	Budget *RetryBudget `json:"budget,omitempty" yaml:"budget,omitempty"`
	// NonIdempotent retries requests that are neither idempotent methods nor carry an
	// Idempotency-Key; false (default): only idempotent ones are retried.
	NonIdempotent bool `json:"nonIdempotent,omitempty" yaml:"nonIdempotent,omitempty"`
}

// Backoff is an exponential back-off with full jitter.
type Backoff struct {
	BaseInterval Duration `json:"baseInterval,omitzero" yaml:"baseInterval,omitempty"`
	MaxInterval  Duration `json:"maxInterval,omitzero" yaml:"maxInterval,omitempty"`
}

// RetryBudget lets retries add at most Percent % to the requests over Window, but always
// allows MinRetriesPerSecond.
type RetryBudget struct {
	Percent             float64  `json:"percent" yaml:"percent"`
	MinRetriesPerSecond float64  `json:"minRetriesPerSecond,omitempty" yaml:"minRetriesPerSecond,omitempty"`
	Window              Duration `json:"window,omitzero" yaml:"window,omitempty"` // 0: 10s
}

// ConnectionPool is Istio's connection pool settings, which Envoy enforces as circuit breakers:
// overflow fails fast with 503 and header X-Meshlab-Overflow naming the limit.
type ConnectionPool struct {
	MaxConnections     int `json:"maxConnections,omitempty" yaml:"maxConnections,omitempty"`         // per destination; 0: unlimited
	MaxPendingRequests int `json:"maxPendingRequests,omitempty" yaml:"maxPendingRequests,omitempty"` // waiting for a connection
	MaxRequests        int `json:"maxRequests,omitempty" yaml:"maxRequests,omitempty"`               // concurrent requests
}

// OutlierDetection ejects endpoints that fail in a row, as Envoy does.
type OutlierDetection struct {
	Consecutive5xxErrors     int      `json:"consecutive5xxErrors,omitempty" yaml:"consecutive5xxErrors,omitempty"`
	ConsecutiveGatewayErrors int      `json:"consecutiveGatewayErrors,omitempty" yaml:"consecutiveGatewayErrors,omitempty"`
	Interval                 Duration `json:"interval,omitzero" yaml:"interval,omitempty"`                      // 0: 10s
	BaseEjectionTime         Duration `json:"baseEjectionTime,omitzero" yaml:"baseEjectionTime,omitempty"`      // 0: 30s; × number of ejections
	MaxEjectionPercent       float64  `json:"maxEjectionPercent,omitempty" yaml:"maxEjectionPercent,omitempty"` // 0: 10 (Envoy)
}

// LoadBalancer algorithms.
const (
	RoundRobin   = "ROUND_ROBIN"
	LeastRequest = "LEAST_REQUEST" // power of two choices
	Random       = "RANDOM"
)

// LoadBalancer picks the algorithm. Requests with an Idempotency-Key always go by key affinity.
type LoadBalancer struct {
	Simple string `json:"simple" yaml:"simple"`
}

// Subset is a named group of a service's instances.
type Subset struct {
	Name   string            `json:"name" yaml:"name"`
	Labels map[string]string `json:"labels" yaml:"labels"`
}

// Split sends calls to subsets: the first rule whose headers all match exactly wins; otherwise
// the weights (which sum to 100) pick a subset per request.
type Split struct {
	Match   []HeaderRoute    `json:"match,omitempty" yaml:"match,omitempty"`
	Weights []WeightedSubset `json:"weights,omitempty" yaml:"weights,omitempty"`
}

// HeaderRoute routes calls whose headers match to Subset.
type HeaderRoute struct {
	Headers map[string]string `json:"headers" yaml:"headers"`
	Subset  string            `json:"subset" yaml:"subset"`
}

// WeightedSubset is one leg of a weighted split.
type WeightedSubset struct {
	Subset string `json:"subset" yaml:"subset"`
	Weight int    `json:"weight" yaml:"weight"`
}

// Fault is an Istio HTTPFaultInjection: a delay and/or an abort, each for a percentage of the
// matching requests.
type Fault struct {
	// Headers must all match exactly for the fault to apply; empty: every request.
	Headers map[string]string `json:"headers,omitempty" yaml:"headers,omitempty"`
	Delay   *FaultDelay       `json:"delay,omitempty" yaml:"delay,omitempty"`
	Abort   *FaultAbort       `json:"abort,omitempty" yaml:"abort,omitempty"`
}

// FaultDelay delays Percent % of requests by FixedDelay.
type FaultDelay struct {
	Percent    float64  `json:"percent" yaml:"percent"`
	FixedDelay Duration `json:"fixedDelay" yaml:"fixedDelay"`
}

// FaultAbort answers Percent % of requests with HTTPStatus, without calling the destination.
type FaultAbort struct {
	Percent    float64 `json:"percent" yaml:"percent"`
	HTTPStatus int     `json:"httpStatus" yaml:"httpStatus"`
}

// GatewayPolicy is north-south policy at the gateway.
type GatewayPolicy struct {
	// RateLimits are token buckets; the first whose route matches applies.
	RateLimits []RateLimit `json:"rateLimits,omitempty" yaml:"rateLimits,omitempty"`
	// APIKeys, when Required, admits only requests whose X-API-Key is one of Keys (401 else).
	APIKeys *APIKeys `json:"apiKeys,omitempty" yaml:"apiKeys,omitempty"`
	// MaxRequestBytes refuses larger request bodies with 413; 0: no limit.
	MaxRequestBytes int64 `json:"maxRequestBytes,omitempty" yaml:"maxRequestBytes,omitempty"`
}

// RateLimit is a token bucket on a route ("*" for all), per client key (X-API-Key, else the
// client address) when PerClient, else shared. Excess gets 429 with Retry-After.
type RateLimit struct {
	Route             string  `json:"route" yaml:"route"`
	RequestsPerSecond float64 `json:"requestsPerSecond" yaml:"requestsPerSecond"`
	Burst             int     `json:"burst,omitempty" yaml:"burst,omitempty"` // 0: max(1, rps)
	PerClient         bool    `json:"perClient,omitempty" yaml:"perClient,omitempty"`
}

// APIKeys authenticates gateway clients.
type APIKeys struct {
	Required bool     `json:"required" yaml:"required"`
	Keys     []string `json:"keys" yaml:"keys"`
}

// SecurityPolicy is mutual TLS between sidecars and who may call whom.
type SecurityPolicy struct {
	MTLS          *MTLS          `json:"mtls,omitempty" yaml:"mtls,omitempty"`
	Authorization *Authorization `json:"authorization,omitempty" yaml:"authorization,omitempty"`
}

// mTLS modes.
const (
	MTLSDisable = "DISABLE"
	MTLSStrict  = "STRICT"
)

// MTLS sets mutual TLS between sidecars (and gateway → sidecar) with certificates the control
// plane's CA issues, identities spiffe://<trust domain>/ns/<namespace>/sa/<service>.
type MTLS struct {
	Mode    string   `json:"mode" yaml:"mode"`
	CertTTL Duration `json:"certTTL,omitzero" yaml:"certTTL,omitempty"` // 0: 1h; rotated at half life
}

// Authorization actions.
const (
	Allow = "ALLOW"
	Deny  = "DENY"
)

// Authorization decides which source identity may call which destination, path and method.
// Rules are checked in order; the first match decides; none matches: Default (ALLOW if empty).
type Authorization struct {
	Default string     `json:"default,omitempty" yaml:"default,omitempty"`
	Rules   []AuthRule `json:"rules,omitempty" yaml:"rules,omitempty"`
}

// AuthRule matches calls: From source services (or SPIFFE ids; "gateway" for the gateway; empty:
// any), To a destination service, Paths (wildcards "*") and Methods (empty: any).
type AuthRule struct {
	Action  string   `json:"action" yaml:"action"` // ALLOW or DENY
	From    []string `json:"from,omitempty" yaml:"from,omitempty"`
	To      string   `json:"to" yaml:"to"`
	Paths   []string `json:"paths,omitempty" yaml:"paths,omitempty"`
	Methods []string `json:"methods,omitempty" yaml:"methods,omitempty"`
}
