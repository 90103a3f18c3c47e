package clusters

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/meshlab/meshlab/scenarios"
)

// Spec is what a backend brings up: the scenario's topology for one run.
type Spec struct {
	RunID     string
	Dir       string // the run's directory: logs and process records go under it
	Seed      uint64
	Namespace string
	Topology  scenarios.Topology // defaults filled
	Token     string             // the run token guarding every admin endpoint
}

// Backend brings a mesh up.
type Backend interface {
	// Name is the backend's name as scenarios write it ("local").
	Name() string
	// Up starts the mesh and returns once it serves traffic through the gateway. On error
	// everything it started is already torn down.
	Up(ctx context.Context, spec Spec) (Mesh, error)
}

// Mesh is a running mesh.
type Mesh interface {
	// GatewayURL is the public entry, e.g. "http://127.0.0.1:40123".
	GatewayURL() string
	// Workloads lists what faults and policies can select, in a stable order.
	Workloads() []Workload
	// Ready is how long Up took from its start to a mesh that serves.
	Ready() time.Duration
	// Down tears everything down; it is safe to call more than once.
	Down(ctx context.Context) error
}

// Workload is one selectable unit of the mesh: a service instance (a pod: service process plus
// sidecar) or the gateway.
type Workload struct {
	ID      string            `json:"id"`  // "payment-1", "gateway"
	App     string            `json:"app"` // "payment", "gateway"
	Version string            `json:"version"`
	Labels  map[string]string `json:"labels"`
	IP      string            `json:"ip,omitempty"` // its own address (a pod IP), where the backend has one
}

// Registry is the set of backends a program can run scenarios on, by the name scenarios use.
type Registry map[string]Backend

// Names are the registry's backend names, sorted: what a scenario's backend may be.
func (r Registry) Names() []string {
	return slices.Sorted(maps.Keys(r))
}

// Get returns the backend named name; the error for a name the registry lacks lists those it has.
func (r Registry) Get(name string) (Backend, error) {
	if b, ok := r[name]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("backend %q is not available here (this build has: %s)", name, strings.Join(r.Names(), ", "))
}
