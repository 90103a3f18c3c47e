package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/scenarios"
)

// UpOptions configure bringing a scenario's mesh up.
type UpOptions struct {
	// Backends the scenario's backend is looked up in.
	Backends clusters.Registry
	// Dir is the run directory (it exists): the backend keeps its logs and records under it.
	Dir string
	// RunID names the run to the backend; empty: the base name of Dir.
	RunID  string
	Logger *slog.Logger
}

// Mesh is a scenario's mesh, up on its backend, with the scenario's policy applied.
type Mesh struct {
	clusters.Mesh
	// Backend is the backend's name; Token the run token that guards every admin endpoint.
	Backend, Token string
	// Policy is the version of the scenario's policy the control plane distributed, and when;
	// 0 when the scenario has none.
	Policy   uint64
	PolicyAt time.Time
}

// Up brings sc's mesh up on its backend (sc.Backend, looked up in o.Backends) with a fresh run
// token and applies sc's policy: the one bring-up path of `meshlab scenario run` and
// `meshlab up`. On error nothing it started is left running.
func Up(ctx context.Context, sc scenarios.Scenario, o UpOptions) (*Mesh, error) {
	backend, err := o.Backends.Get(sc.Backend)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	runID := o.RunID
	if runID == "" {
		runID = filepath.Base(o.Dir)
	}
	m := &Mesh{Backend: backend.Name(), Token: NewToken()}
	m.Mesh, err = backend.Up(ctx, clusters.Spec{RunID: runID, Dir: o.Dir, Seed: sc.Seed, Namespace: sc.Namespace,
		Topology: sc.Topology, Token: m.Token})
	if err != nil {
		return nil, fmt.Errorf("bringing the mesh up on %s: %w", backend.Name(), err)
	}
	if sc.Policy == nil {
		return m, nil
	}
	if err := m.applyPolicy(ctx, sc); err != nil {
		dctx, cancel := context.WithTimeout(context.Background(), downTimeout)
		defer cancel()
		_ = m.Mesh.Down(dctx)
		return nil, err
	}
	return m, nil
}

// applyPolicy sets sc's policy on the mesh.
func (m *Mesh) applyPolicy(ctx context.Context, sc scenarios.Scenario) error {
	ps, ok := m.Mesh.(clusters.PolicySetter)
	if !ok {
		return fmt.Errorf("scenario %s has a policy, and backend %s cannot apply policies", sc.Name, m.Backend)
	}
	v, err := ps.SetPolicy(ctx, *sc.Policy)
	if err != nil {
		return fmt.Errorf("applying the scenario's policy: %w", err)
	}
	m.Policy, m.PolicyAt = v, time.Now()
	return nil
}

// downTimeout bounds tearing a mesh down (and, before it, removing the run's faults): a local
// mesh goes in a second or two, a namespace on Kubernetes takes longer (its pods' containers
// stopped, its objects deleted).
const downTimeout = 60 * time.Second

// Close tears the mesh down within downTimeout, whatever context the caller still has.
func (m *Mesh) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), downTimeout)
	defer cancel()
	return m.Mesh.Down(ctx)
}

// NewToken returns a fresh random run token for admin endpoints.
func NewToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
