package local

import (
	"context"
	"fmt"
	"sync"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/policy"
)

// policyState remembers the policy in force, so a restarted control plane (which starts empty)
// gets it back.
type policyState struct {
	mu      sync.Mutex
	current *policy.MeshPolicy
}

// SetPolicy implements clusters.PolicySetter: the control plane validates the policy and
// distributes it; every sidecar and the gateway swap it in within a second.
func (m *localMesh) SetPolicy(ctx context.Context, p policy.MeshPolicy) (uint64, error) {
	c := controlplane.NewClient(m.controlPlaneURL(), m.log)
	v, err := c.PutPolicy(ctx, m.spec.Token, p)
	if err != nil {
		return 0, fmt.Errorf("setting the mesh policy: %w", err)
	}
	m.policy.mu.Lock()
	m.policy.current = &p
	m.policy.mu.Unlock()
	return v, nil
}

// restorePolicy re-sends the policy in force to a control plane that restarted.
func (m *localMesh) restorePolicy(map[string]string) error {
	m.policy.mu.Lock()
	p := m.policy.current
	m.policy.mu.Unlock()
	if p == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.opts.StartTimeout)
	defer cancel()
	_, err := controlplane.NewClient(m.controlPlaneURL(), m.log).PutPolicy(ctx, m.spec.Token, *p)
	return err
}

var _ clusters.PolicySetter = (*localMesh)(nil)
