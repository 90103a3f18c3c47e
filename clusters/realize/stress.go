package realize

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

// stressFault realizes StressChaos inside the selected workloads' service processes: CPU burned and
// memory allocated and touched in the process itself, as stressors in its cgroup would.
func (r *Realizer) stressFault(ctx context.Context, f clusters.Fault, sc *v1alpha1.StressChaos) (clusters.Injection, error) {
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
	for _, w := range f.Selected {
		t, err := r.mesh.Target(ctx, w)
		if err != nil {
			return nil, err
		}
		if t.Service == nil {
			return nil, fmt.Errorf("%s: %s's service is down", f.Name, w)
		}
		if err := adminapi.Call(ctx, t.Service, http.MethodPut, adminapi.Stress, spec, nil); err != nil {
			return nil, fmt.Errorf("%s: stressing %s: %w", f.Name, w, err)
		}
	}
	diffs = append(diffs, "stressors run inside the service process, not as separate processes in its cgroup")
	return &injection{diffs: diffs, remove: func(ctx context.Context) error {
		var errs []error
		for _, w := range f.Selected {
			if t, err := r.mesh.Target(ctx, w); err != nil {
				errs = append(errs, err)
			} else if t.Service != nil {
				errs = append(errs, adminapi.Call(ctx, t.Service, http.MethodDelete, adminapi.Stress, nil, nil))
			}
		}
		return errors.Join(errs...)
	}}, nil
}
