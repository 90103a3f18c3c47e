package reports

import "time"

// FaultRecord is one fault of a run as the harness scheduled and realized it.
type FaultRecord struct {
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`   // Chaos Mesh kind: PodChaos, NetworkChaos, …
	Action   string   `json:"action"` // pod-kill, delay, …
	Selected []string `json:"selected"`
	// Scheduled, Injected and Removed are zero when it never happened.
	Scheduled time.Time `json:"scheduled"`
	Injected  time.Time `json:"injected"`
	Removed   time.Time `json:"removed"`
	// Differences says what the local realization does differently from Chaos Mesh.
	Differences []string `json:"differences"`
}

// PolicyMark is a policy version pushed to the mesh during the run.
type PolicyMark struct {
	At      time.Time `json:"at"`
	Name    string    `json:"name"`
	Version uint64    `json:"version"`
}

// CPUSample is the whole host's CPU use at one moment.
type CPUSample struct {
	At          time.Time `json:"at"`
	BusyPercent float64   `json:"busyPercent"` // 0–100
}

// MeshScrape is the sidecars' counters at one moment, summed across sidecars. Counters are
// cumulative: "requests", "requests_5xx", "retries", "retry_budget_exhausted", "ejections",
// "overflows", "rate_limited", "authz_denied", "mtls_failures".
type MeshScrape struct {
	At       time.Time          `json:"at"`
	Phase    string             `json:"phase"`
	Counters map[string]float64 `json:"counters"`
}

// EjectionEvent is one outlier ejection a proxy made during the run: which proxy (the
// workload whose sidecar, or the gateway, ejected), which destination endpoint, when and for
// how long.
type EjectionEvent struct {
	At       time.Time `json:"at"`
	Until    time.Time `json:"until"`      // when the endpoint is let back (the next interval tick)
	Duration Duration  `json:"durationMs"` // base ejection time × Count
	By       string    `json:"by"`         // "order-0", "gateway"
	Service  string    `json:"service"`    // the destination service
	Endpoint string    `json:"endpoint"`   // the ejected endpoint
	Count    int       `json:"count"`      // how many times By has ejected Endpoint
	Reason   string    `json:"reason"`     // "consecutive-5xx", "consecutive-gateway-errors"
}
