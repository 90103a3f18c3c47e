package local

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/chaos-mesh/chaos-mesh/api/v1alpha1"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/mesh/adminapi"
)

// Inject implements clusters.Injector: PodChaos through the supervisor, NetworkChaos and
// HTTPChaos as rules in the selected sidecars' (or the gateway's) filter chains, StressChaos in
// the selected service processes — each switched on and off through admin endpoints (loopback,
// run token) without restarting anything.
func (m *localMesh) Inject(ctx context.Context, f clusters.Fault) (clusters.Injection, error) {
	switch obj := f.Object.(type) {
	case *v1alpha1.PodChaos:
		return m.podFault(f, obj)
	case *v1alpha1.NetworkChaos:
		return m.netFault(ctx, f, obj)
	case *v1alpha1.HTTPChaos:
		return m.httpFault(ctx, f, obj)
	case *v1alpha1.StressChaos:
		return m.stressFault(ctx, f, obj)
	}
	return nil, fmt.Errorf("%s: %T cannot be realized by the local backend", f.Name, f.Object)
}

// ruleSets holds, per process and fault, the rules in force, so faults that overlap on one
// process compose, and a restarted process gets them back.
type ruleSets[R any] struct {
	mu    sync.Mutex
	rules map[string]map[string][]R // process id → fault name → rules
}

// set records rules for (process, fault) — nil removes — and returns the process's union.
func (rs *ruleSets[R]) set(proc, fault string, rules []R) []R {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.rules == nil {
		rs.rules = map[string]map[string][]R{}
	}
	if rs.rules[proc] == nil {
		rs.rules[proc] = map[string][]R{}
	}
	if rules == nil {
		delete(rs.rules[proc], fault)
	} else {
		rs.rules[proc][fault] = rules
	}
	return rs.unionLocked(proc)
}

func (rs *ruleSets[R]) union(proc string) []R {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.unionLocked(proc)
}

func (rs *ruleSets[R]) unionLocked(proc string) []R {
	all := []R{}
	for _, r := range rs.rules[proc] {
		all = append(all, r...)
	}
	return all
}

// workloadProc returns the process that realizes network and HTTP faults for a workload: the
// pod's sidecar, or the gateway.
func (m *localMesh) workloadProc(id string) (*process, error) {
	if id == "gateway" {
		return m.gateway, nil
	}
	pods, err := m.podsByID([]string{id})
	if err != nil {
		return nil, err
	}
	return pods[0].sidecar, nil
}

// pushNet sends a process's whole rule set to its admin endpoint.
func (m *localMesh) pushNet(p *process) error {
	at, ok := m.adminOf(p)
	if !ok {
		return nil // down: it gets its rules when it is back (see process start hooks)
	}
	return at.call(context.Background(), http.MethodPut, adminapi.NetFaults, map[string]any{"rules": m.netRules.union(p.id)}, nil)
}

// pushHTTP sends a process's whole HTTPChaos rule set to its admin endpoint.
func (m *localMesh) pushHTTP(p *process) error {
	at, ok := m.adminOf(p)
	if !ok {
		return nil
	}
	return at.call(context.Background(), http.MethodPut, adminapi.HTTPFaults, map[string]any{"rules": m.httpRules.union(p.id)}, nil)
}

// pushFaults restores a restarted process's fault rules (a container restart keeps its pod's
// network namespace, and with it Chaos Mesh's tc rules).
func (m *localMesh) pushFaults(p *process) error {
	if err := m.pushNet(p); err != nil {
		return err
	}
	return m.pushHTTP(p)
}

// ruleInjection removes a fault's rules from every process it touched.
type ruleInjection struct {
	remove func(ctx context.Context) error
	diffs  []string
	once   sync.Once
}

func (ri *ruleInjection) Remove(ctx context.Context) error {
	var err error
	ri.once.Do(func() { err = ri.remove(ctx) })
	return err
}

func (ri *ruleInjection) Differences() []string { return ri.diffs }

var _ clusters.Injector = (*localMesh)(nil)
