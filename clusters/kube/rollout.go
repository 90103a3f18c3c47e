package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/meshlab/meshlab/internal/sleep"
)

// rolloutPoll is how often waitRollouts looks at the Deployments.
const rolloutPoll = 250 * time.Millisecond

// ErrRollout marks a rollout that missed its deadline.
var ErrRollout = errors.New("the mesh did not roll out")

// waitRollouts waits until every named Deployment of namespace has all its replicas updated and
// available, within timeout. When one misses it, the error names the Deployments still rolling
// out and says, for every pod that is not Ready, why: its containers' states and its latest
// warnings.
func waitRollouts(ctx context.Context, client kubernetes.Interface, namespace string, names []string, timeout time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pending := slices.Clone(names)
	for len(pending) > 0 {
		var still []string
		for _, name := range pending {
			d, err := client.AppsV1().Deployments(namespace).Get(wctx, name, metav1.GetOptions{})
			if err != nil || !rolledOut(d) {
				still = append(still, name)
			}
		}
		pending = still
		if len(pending) == 0 || !sleep.For(wctx, rolloutPoll) {
			break
		}
	}
	if len(pending) == 0 {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer dcancel()
	return fmt.Errorf("%w within %s: %s still rolling out\n%s", ErrRollout, timeout, strings.Join(pending, ", "),
		diagnose(dctx, client, namespace))
}

// rolledOut reports whether every replica of d runs the latest template and is available.
func rolledOut(d *appsv1.Deployment) bool {
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	s := d.Status
	return s.ObservedGeneration >= d.Generation && s.UpdatedReplicas == want && s.AvailableReplicas == want &&
		s.Replicas == want
}

// diagnose describes every pod of namespace that is not Ready: its phase, each container's
// state, and its last warnings.
func diagnose(ctx context.Context, client kubernetes.Interface, namespace string) string {
	pods, err := client.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return "  (listing the pods failed: " + err.Error() + ")"
	}
	var b strings.Builder
	for _, p := range pods.Items {
		if podReady(&p) {
			continue
		}
		fmt.Fprintf(&b, "  pod %s: %s, not Ready\n", p.Name, p.Status.Phase)
		for _, c := range p.Status.Conditions {
			if c.Status != corev1.ConditionTrue && c.Message != "" {
				fmt.Fprintf(&b, "    %s: %s\n", c.Type, c.Message)
			}
		}
		for _, cs := range append(slices.Clone(p.Status.InitContainerStatuses), p.Status.ContainerStatuses...) {
			fmt.Fprintf(&b, "    container %s: %s\n", cs.Name, containerState(cs))
		}
		for _, e := range warnings(ctx, client, namespace, p.Name) {
			fmt.Fprintf(&b, "    event %s: %s\n", e.Reason, e.Message)
		}
	}
	if b.Len() == 0 {
		return "  (every pod is Ready; the Deployments' replicas are not all created: see kubectl describe deployment)"
	}
	return strings.TrimRight(b.String(), "\n")
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func containerState(cs corev1.ContainerStatus) string {
	s := cs.State
	switch {
	case s.Waiting != nil:
		return fmt.Sprintf("waiting: %s %s (restarts %d)", s.Waiting.Reason, s.Waiting.Message, cs.RestartCount)
	case s.Terminated != nil:
		return fmt.Sprintf("terminated: %s, exit %d %s (restarts %d)", s.Terminated.Reason, s.Terminated.ExitCode, s.Terminated.Message, cs.RestartCount)
	case s.Running != nil && !cs.Ready:
		return fmt.Sprintf("running, not ready (restarts %d)", cs.RestartCount)
	}
	return fmt.Sprintf("running, ready (restarts %d)", cs.RestartCount)
}

// warnings are the pod's last three Warning events.
func warnings(ctx context.Context, client kubernetes.Interface, namespace, pod string) []corev1.Event {
	evs, err := client.CoreV1().Events(namespace).List(ctx, metav1.ListOptions{
		FieldSelector: "involvedObject.name=" + pod + ",type=Warning"})
	if err != nil {
		return nil
	}
	items := evs.Items
	slices.SortFunc(items, func(a, b corev1.Event) int { return a.LastTimestamp.Compare(b.LastTimestamp.Time) })
	if len(items) > 3 {
		items = items[len(items)-3:]
	}
	return items
}
