package adminapi

import "time"

// StatsView is the JSON of GET /v1/stats on a sidecar's or the gateway's admin endpoint.
type StatsView struct {
	Resilience Resilience    `json:"resilience"`
	Identity   IdentityStats `json:"identity"`
	// InboundHandshakeFailures counts connections the inbound listener refused.
	InboundHandshakeFailures uint64 `json:"inboundHandshakeFailures"`
	// AuthzDenied counts inbound requests authorization refused.
	AuthzDenied uint64 `json:"authzDenied"`
	// Workers is how many threads run the process's Go code (GOMAXPROCS).
	Workers int `json:"workers"`
	// MemoryLimitBytes is the runtime's soft memory limit (math.MaxInt64: none).
	MemoryLimitBytes int64 `json:"memoryLimitBytes"`
	// TimerSlackNs is how late the kernel may fire the process's timed sleeps.
	TimerSlackNs int64 `json:"timerSlackNs"`
	// MonitorPoll is whether Go's monitor thread polls instead of parking.
	MonitorPoll bool `json:"monitorPoll"`
	// GCCycles counts the garbage collections the process has run.
	GCCycles uint64 `json:"gcCycles"`
}

// Resilience is a proxy's resilience counters, per destination service.
type Resilience struct {
	Services map[string]ServiceStats `json:"services"`
}

// ServiceStats are one destination's counters since the proxy started.
type ServiceStats struct {
	// Requests counts requests under a retry policy; Retries the tries after their first.
	Requests uint64 `json:"requests"`
	Retries  uint64 `json:"retries"`
	// BudgetExhausted counts retries refused by the retry budget.
	BudgetExhausted uint64 `json:"budgetExhausted"`
	// Overflows counts requests failed by the circuit breaker, by limit ("max-requests",
	// "max-pending", "max-connections").
	Overflows map[string]uint64 `json:"overflows,omitempty"`
	// Ejections lists outlier ejections, oldest first (the most recent ones only).
	Ejections []Ejection `json:"ejections,omitempty"`
	// EjectionsTotal counts every ejection.
	EjectionsTotal uint64 `json:"ejectionsTotal"`
	// Ejected lists the endpoints ejected now, by ID.
	Ejected []string `json:"ejected,omitempty"`
}

// Ejection is one outlier ejection of an endpoint.
type Ejection struct {
	Endpoint string        `json:"endpoint"`
	At       time.Time     `json:"at"`
	Until    time.Time     `json:"until"`    // when it returns (on an interval tick)
	Duration time.Duration `json:"duration"` // baseEjectionTime × Count
	Count    int           `json:"count"`    // the multiplier: ejections in a row
	Reason   string        `json:"reason"`   // "consecutive-5xx" or "consecutive-gateway-errors"
}

// IdentityStats are a workload's mTLS identity counters.
type IdentityStats struct {
	// Rotations counts certificates that replaced an earlier one.
	Rotations uint64
	// RotationFailures counts renewals that failed (and were retried).
	RotationFailures uint64
	// HandshakeFailures counts failed mTLS handshakes.
	HandshakeFailures uint64
	// Expires is when the current certificate expires; zero before the first.
	Expires time.Time
}
