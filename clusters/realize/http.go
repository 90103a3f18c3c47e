package realize

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/chaos-mesh/chaos-mesh/api/v1alpha1"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/mesh/faults"
)

// httpFault realizes HTTPChaos as an L7 rule in the selected sidecars' inbound chains (or the
// gateway's): the spec's fields carry over verbatim (mesh/faults uses Chaos Mesh's JSON names).
func (r *Realizer) httpFault(ctx context.Context, f clusters.Fault, hc *v1alpha1.HTTPChaos) (clusters.Injection, error) {
	raw, err := json.Marshal(hc.Spec)
	if err != nil {
		return nil, err
	}
	var rule faults.HTTPRule
	if err := json.Unmarshal(raw, &rule); err != nil {
		return nil, fmt.Errorf("%s: translating the spec: %w", f.Name, err)
	}
	rule.Name = f.Name
	for _, w := range f.Selected {
		r.http.set(w, f.Name, []faults.HTTPRule{rule})
		if err := r.pushHTTP(ctx, w); err != nil {
			return nil, fmt.Errorf("%s: injecting on %s: %w", f.Name, w, err)
		}
	}
	diffs := []string{"applies to new requests at once, keep-alive connections included (Chaos Mesh spares connections opened before injection)"}
	if hc.Spec.TLS != nil {
		diffs = append(diffs, "tls is ignored: the sidecar sees plaintext HTTP")
	}
	return &injection{diffs: diffs, remove: func(ctx context.Context) error {
		var errs []error
		for _, w := range f.Selected {
			r.http.set(w, f.Name, nil)
			errs = append(errs, r.pushHTTP(ctx, w))
		}
		return errors.Join(errs...)
	}}, nil
}
