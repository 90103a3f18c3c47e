package clusters

import (
	"context"
	"net/http"

	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/scenarios"
)

// Fault is one firing of a scenario fault as a backend realizes it: the scenario's fault (its
// Chaos Mesh object, typed, with kind, action, selectors, duration and whether it is one-shot)
// and the workloads the harness selected for it with the run's seed.
type Fault struct {
	scenarios.Fault
	Selected []string // workload IDs picked by the selector
	Targets  []string // NetworkChaos: workload IDs picked by spec.target
}

// Injector is an optional Mesh ability: realize a fault. Injecting the same fault twice is
// idempotent.
type Injector interface {
	Inject(ctx context.Context, f Fault) (Injection, error)
}

// Injection is an active fault.
type Injection interface {
	// Remove recovers the fault; safe to call more than once, and for one-shot faults a no-op.
	Remove(ctx context.Context) error
	// Differences says where this backend's realization differs from Chaos Mesh's meaning.
	Differences() []string
}

// PolicySetter is an optional Mesh ability: apply a MeshPolicy to the running mesh (the control
// plane distributes it; sidecars swap it in without restarts). It returns the policy version.
type PolicySetter interface {
	SetPolicy(ctx context.Context, p policy.MeshPolicy) (uint64, error)
}

// MetricsSource is an optional Mesh ability: the proxies that serve the mesh's Prometheus
// metrics at /metrics and their resilience stats (ejections) at /v1/stats — the gateway and
// every sidecar.
type MetricsSource interface {
	MetricsTargets() []MetricsTarget
}

// MetricsTarget is one proxy's admin API (mesh/adminapi), as the backend reaches it.
type MetricsTarget struct {
	Workload string // the workload whose sidecar it is, or "gateway"
	// Admin carries a request to the proxy's admin API and adds the run token: only the
	// request's path and query matter; the backend supplies the way there (a loopback address,
	// a port-forward through the API server).
	Admin http.RoundTripper
	// Where says where the admin API is, for messages ("127.0.11.1:41234").
	Where string
}
