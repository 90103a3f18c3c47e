// Package realize realizes NetworkChaos, HTTPChaos and StressChaos in the mesh's own data plane,
// the same way on every backend that runs meshd: network and HTTP rules in the fault engines of
// the selected workloads' sidecars (or the gateway), stressors inside their service processes,
// each switched on and off through the workload's admin API, which its backend reaches (on
// loopback, or by port-forward). Faults that overlap on one proxy compose; a proxy that
// restarts gets its rules back (Restore), as a container restart keeps its pod's tc rules.
//
//	Inject(f) ──▶ rules per proxy (ruleSets) ──PUT /v1/faults/net|http──▶ Target.Proxy
//	          └─▶ stress spec ──────────────────PUT /v1/stress───────────▶ Target.Service
package realize

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"sync"

	"github.com/chaos-mesh/chaos-mesh/api/v1alpha1"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/faults"
	"github.com/meshlab/meshlab/mesh/netfault"
)

// Target is one workload as its backend reaches it now.
type Target struct {
	// Proxy reaches the admin API of the workload's sidecar, or the gateway's, with the run
	// token (adminapi.Call); nil while it is down (its rules reach it when it is back: Restore).
	Proxy http.RoundTripper
	// Service reaches the admin API of the workload's service process; nil for the gateway, and
	// while the process is down.
	Service http.RoundTripper
	// IP is the workload's address (its pod's): what network rules select peers by.
	IP netip.Addr
}

// Mesh is what a backend gives the realization: its workloads, by ID.
type Mesh interface {
	Target(ctx context.Context, workload string) (Target, error)
}

// Realizer realizes faults on one mesh and remembers the rules in force per proxy.
type Realizer struct {
	mesh Mesh
	net  ruleSets[netfault.Rule]
	http ruleSets[faults.HTTPRule]
}

// New returns a Realizer for m.
func New(m Mesh) *Realizer { return &Realizer{mesh: m} }

// Realizes reports whether Inject realizes f's kind.
func Realizes(f clusters.Fault) bool {
	switch f.Object.(type) {
	case *v1alpha1.NetworkChaos, *v1alpha1.HTTPChaos, *v1alpha1.StressChaos:
		return true
	}
	return false
}

// Inject realizes a NetworkChaos, HTTPChaos or StressChaos on the workloads the harness selected.
func (r *Realizer) Inject(ctx context.Context, f clusters.Fault) (clusters.Injection, error) {
	switch obj := f.Object.(type) {
	case *v1alpha1.NetworkChaos:
		return r.netFault(ctx, f, obj)
	case *v1alpha1.HTTPChaos:
		return r.httpFault(ctx, f, obj)
	case *v1alpha1.StressChaos:
		return r.stressFault(ctx, f, obj)
	}
	return nil, fmt.Errorf("%s: %s is not realized in the data plane", f.Name, f.Kind)
}

// Restore sends a workload's proxy every rule in force on it: for a proxy that (re)started.
func (r *Realizer) Restore(ctx context.Context, workload string) error {
	if err := r.pushNet(ctx, workload); err != nil {
		return err
	}
	return r.pushHTTP(ctx, workload)
}

// pushNet sends a workload's whole network rule set to its proxy's admin API.
func (r *Realizer) pushNet(ctx context.Context, workload string) error {
	return r.push(ctx, workload, adminapi.NetFaults, r.net.union(workload))
}

// pushHTTP sends a workload's whole HTTPChaos rule set to its proxy's admin API.
func (r *Realizer) pushHTTP(ctx context.Context, workload string) error {
	return r.push(ctx, workload, adminapi.HTTPFaults, r.http.union(workload))
}

func (r *Realizer) push(ctx context.Context, workload, path string, rules any) error {
	t, err := r.mesh.Target(ctx, workload)
	if err != nil {
		return err
	}
	if t.Proxy == nil {
		return nil // down: it gets its rules when it is back (Restore)
	}
	return adminapi.Call(ctx, t.Proxy, http.MethodPut, path, map[string]any{"rules": rules}, nil)
}

// ruleSets holds, per workload and fault, the rules in force, so faults that overlap on one
// proxy compose, and a restarted proxy gets them back.
type ruleSets[R any] struct {
	mu    sync.Mutex
	rules map[string]map[string][]R // workload → fault name → rules
}

// set records rules for (workload, fault) — nil removes — and returns the workload's union.
func (rs *ruleSets[R]) set(workload, fault string, rules []R) []R {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.rules == nil {
		rs.rules = map[string]map[string][]R{}
	}
	if rs.rules[workload] == nil {
		rs.rules[workload] = map[string][]R{}
	}
	if rules == nil {
		delete(rs.rules[workload], fault)
	} else {
		rs.rules[workload][fault] = rules
	}
	return rs.unionLocked(workload)
}

func (rs *ruleSets[R]) union(workload string) []R {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.unionLocked(workload)
}

func (rs *ruleSets[R]) unionLocked(workload string) []R {
	all := []R{}
	for _, r := range rs.rules[workload] {
		all = append(all, r...)
	}
	return all
}

// injection removes what a fault put in place.
type injection struct {
	remove func(ctx context.Context) error
	diffs  []string
	once   sync.Once
}

func (in *injection) Remove(ctx context.Context) error {
	var err error
	in.once.Do(func() { err = in.remove(ctx) })
	return err
}

func (in *injection) Differences() []string { return in.diffs }

var _ clusters.Injection = (*injection)(nil)
