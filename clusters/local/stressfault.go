package local

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/chaos-mesh/chaos-mesh/api/v1alpha1"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/stress"
)

// stressFault realizes StressChaos inside the selected pods' service processes: CPU burned and
// memory allocated and touched in the process itself, as stressors in its cgroup would.
func (m *localMesh) stressFault(ctx context.Context, f clusters.Fault, sc *v1alpha1.StressChaos) (clusters.Injection, error) {
	if sc.Spec.Stressors == nil {
		return nil, fmt.Errorf("%s: no stressors (stressngStressors runs nothing, as in Chaos Mesh)", f.Name)
	}
	var spec stress.Spec
	var diffs []string
	if c := sc.Spec.Stressors.CPUStressor; c != nil {
		spec.CPU = &stress.CPU{Workers: c.Workers, Load: c.Load}
		if len(c.Options) > 0 {
			diffs = append(diffs, "cpu options are ignored")
		}
	}
	if mem := sc.Spec.Stressors.MemoryStressor; mem != nil {
		spec.Memory = &stress.Memory{Workers: mem.Workers, Size: mem.Size}
		if len(mem.Options) > 0 || mem.OOMScoreAdj != 0 {
			diffs = append(diffs, "memory options and oomScoreAdj are ignored")
		}
	}
	pods, err := m.podsByID(f.Selected)
	if err != nil {
		return nil, err
	}
	for _, p := range pods {
		at, ok := m.adminOf(p.app)
		if !ok {
			return nil, fmt.Errorf("%s: %s's service is down", f.Name, p.id)
		}
		if err := at.call(ctx, http.MethodPut, adminapi.Stress, spec, nil); err != nil {
			return nil, fmt.Errorf("%s: stressing %s: %w", f.Name, p.id, err)
		}
	}
	diffs = append(diffs, "stressors run inside the service process, not as separate processes in its cgroup")
	return &ruleInjection{diffs: diffs, remove: func(ctx context.Context) error {
		var errs []error
		for _, p := range pods {
			if at, ok := m.adminOf(p.app); ok {
				errs = append(errs, at.call(ctx, http.MethodDelete, adminapi.Stress, nil, nil))
			}
		}
		return errors.Join(errs...)
	}}, nil
}
