package scenarios

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	cm "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
)

// ErrNotSupportedLocally is returned (wrapped) for selector fields that need a Kubernetes
// cluster (nodes, annotations) and are not trivially satisfied.
var ErrNotSupportedLocally = errors.New("not supported locally")

// Matches reports whether a workload satisfies a Chaos Mesh selector: pods, when set, alone;
// else namespaces, labelSelectors, expressionSelectors, fieldSelectors and podPhaseSelectors
// all together.
func Matches(sel cm.PodSelectorSpec, w Workload) (bool, error) {
	if len(sel.Pods) > 0 {
		return slices.Contains(sel.Pods[w.Namespace], w.Name), nil
	}
	if err := unsupported(sel); err != nil {
		return false, err
	}
	if len(sel.Namespaces) > 0 && !slices.Contains(sel.Namespaces, w.Namespace) {
		return false, nil
	}
	for k, v := range sel.LabelSelectors {
		if got, ok := w.Labels[k]; !ok || got != v {
			return false, nil
		}
	}
	for _, r := range sel.ExpressionSelectors {
		if ok, err := requirement(r.Key, string(r.Operator), r.Values, w.Labels); err != nil || !ok {
			return false, err
		}
	}
	for k, v := range sel.FieldSelectors {
		if ok, err := fieldMatches(k, v, w); err != nil || !ok {
			return false, err
		}
	}
	return phaseMatches(sel.PodPhaseSelectors), nil
}

// unsupported refuses node and annotation selection: local workloads have no nodes and no
// annotations.
func unsupported(sel cm.PodSelectorSpec) error {
	switch {
	case len(sel.Nodes) > 0:
		return fmt.Errorf("selector.nodes: %w (local workloads run on no node)", ErrNotSupportedLocally)
	case len(sel.NodeSelectors) > 0:
		return fmt.Errorf("selector.nodeSelectors: %w (local workloads run on no node)", ErrNotSupportedLocally)
	case len(sel.AnnotationSelectors) > 0:
		return fmt.Errorf("selector.annotationSelectors: %w (local workloads have no annotations)", ErrNotSupportedLocally)
	}
	return nil
}

// requirement evaluates one expression selector (In, NotIn, Exists, DoesNotExist).
func requirement(key, op string, values []string, labels map[string]string) (bool, error) {
	v, has := labels[key]
	switch op {
	case "In":
		return has && slices.Contains(values, v), nil
	case "NotIn":
		return !has || !slices.Contains(values, v), nil
	case "Exists":
		return has, nil
	case "DoesNotExist":
		return !has, nil
	}
	return false, fmt.Errorf("expressionSelectors: unknown operator %q: want In, NotIn, Exists or DoesNotExist", op)
}

// fieldMatches evaluates the field selectors a local workload can answer.
func fieldMatches(key, value string, w Workload) (bool, error) {
	switch key {
	case "metadata.name":
		return w.Name == value, nil
	case "metadata.namespace":
		return w.Namespace == value, nil
	case "status.phase":
		return value == "Running", nil
	}
	return false, fmt.Errorf("selector.fieldSelectors[%q]: %w (only metadata.name, metadata.namespace and status.phase)",
		key, ErrNotSupportedLocally)
}

// phaseMatches: every local workload is Running.
func phaseMatches(phases []string) bool {
	included := false
	for _, p := range phases {
		switch p {
		case "Running":
			included = true
		case "!Running":
			return false
		}
	}
	return included || !slices.ContainsFunc(phases, func(p string) bool { return !strings.HasPrefix(p, "!") })
}
