package local

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/chaos-mesh/chaos-mesh/api/v1alpha1"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/clusters/realize"
)

// Inject implements clusters.Injector: PodChaos through the supervisor; NetworkChaos, HTTPChaos
// and StressChaos in the data plane (clusters/realize), through the processes' admin endpoints
// on loopback with the run token, without restarting anything.
func (m *localMesh) Inject(ctx context.Context, f clusters.Fault) (clusters.Injection, error) {
	if pc, ok := f.Object.(*v1alpha1.PodChaos); ok {
		return m.podFault(f, pc)
	}
	if realize.Realizes(f) {
		return m.faults.Inject(ctx, f)
	}
	return nil, fmt.Errorf("%s: %T cannot be realized by the local backend", f.Name, f.Object)
}

// Target implements realize.Mesh: a pod's sidecar and service, or the gateway, as they run now.
func (m *localMesh) Target(_ context.Context, workload string) (realize.Target, error) {
	var t realize.Target
	proxy, app, ip := m.gateway, (*process)(nil), GatewayIP
	if workload != "gateway" {
		pods, err := m.podsByID([]string{workload})
		if err != nil {
			return t, err
		}
		proxy, app, ip = pods[0].sidecar, pods[0].app, pods[0].ip
	}
	if at, ok := m.adminOf(proxy); ok {
		t.Proxy = at
	}
	if app != nil {
		if at, ok := m.adminOf(app); ok {
			t.Service = at
		}
	}
	t.IP = netip.MustParseAddr(ip)
	return t, nil
}

// restoreFaults gives a proxy that (re)started the fault rules in force on its workload (a
// container restart keeps its pod's network namespace, and with it Chaos Mesh's tc rules).
func (m *localMesh) restoreFaults(workload string) error {
	return m.faults.Restore(context.Background(), workload)
}

var (
	_ clusters.Injector = (*localMesh)(nil)
	_ realize.Mesh      = (*localMesh)(nil)
)
