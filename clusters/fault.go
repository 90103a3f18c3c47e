package clusters

import (
	"context"
	"time"

	"github.com/meshlab/meshlab/mesh/policy"
)

// Fault is one firing of a scenario fault as a backend realizes it: a Chaos Mesh object
// (github.com/chaos-mesh/chaos-mesh/api/v1alpha1, typed), the workloads the harness selected for
// it with the run's seed, and how long it lasts.
type Fault struct {
	Name     string
	Kind     string // "PodChaos", "NetworkChaos", "HTTPChaos", "StressChaos"
	Action   string
	Object   any           // *v1alpha1.PodChaos, *v1alpha1.NetworkChaos, …
	Selected []string      // workload IDs picked by the selector
	Targets  []string      // NetworkChaos: workload IDs picked by spec.target
	Duration time.Duration // 0: until removed (one-shot actions ignore it)
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

// MetricsTarget is one proxy's admin endpoint.
type MetricsTarget struct {
	Workload string // the workload whose sidecar it is, or "gateway"
	Admin    string // host:port
}
