package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/clusters/realize"
	"github.com/meshlab/meshlab/mesh/adminapi"
)

// AnnotationOriginalImages keeps a pod-failure's original images on the pod, as Chaos Mesh does.
const AnnotationOriginalImages = "meshlab.dev/pod-failure-images"

// Inject implements clusters.Injector: PodChaos through the Kubernetes API in Chaos Mesh's
// meaning; NetworkChaos, HTTPChaos and StressChaos in the data plane (clusters/realize), through
// the pods' admin APIs by port-forward.
func (m *kubeMesh) Inject(ctx context.Context, f clusters.Fault) (clusters.Injection, error) {
	if pc, ok := f.Object.(*v1alpha1.PodChaos); ok {
		return m.podFault(ctx, f, pc)
	}
	if realize.Realizes(f) {
		in, err := m.faults.Inject(ctx, f)
		if err != nil {
			return nil, err
		}
		return withDiffs{in, []string{"realized by meshlab's sidecars and services, not by Chaos Mesh's daemons: this kernel has no netem"}}, nil
	}
	return nil, fmt.Errorf("%s: %T cannot be realized by the %s backend", f.Name, f.Object, m.b.o.Name)
}

// podFault realizes PodChaos: pod-kill deletes each selected pod with the object's gracePeriod
// and its ReplicaSet makes another; container-kill SIGKILLs the named containers' processes so
// the kubelet restarts them in place; pod-failure swaps every container's image, init and
// sidecar containers included, for the node's pause image until removed.
func (m *kubeMesh) podFault(ctx context.Context, f clusters.Fault, pc *v1alpha1.PodChaos) (clusters.Injection, error) {
	var pods []*corev1.Pod
	for _, w := range f.Selected {
		p, err := m.podFor(ctx, w)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		pods = append(pods, p)
	}
	switch pc.Spec.Action {
	case v1alpha1.PodKillAction:
		grace := pc.Spec.GracePeriod
		for _, p := range pods {
			err := m.client.CoreV1().Pods(m.ns).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: &grace})
			if err != nil && !apierrors.IsNotFound(err) {
				return nil, fmt.Errorf("%s: deleting pod %s: %w", f.Name, p.Name, err)
			}
		}
		return oneShot{}, nil
	case v1alpha1.ContainerKillAction:
		for _, p := range pods {
			for _, c := range pc.Spec.ContainerNames {
				if err := m.killContainer(ctx, p, c); err != nil {
					return nil, fmt.Errorf("%s: %w", f.Name, err)
				}
			}
		}
		return oneShot{diffs: m.killDiffs()}, nil
	case v1alpha1.PodFailureAction:
		pf := &podFailure{m: m}
		for _, p := range pods {
			if err := pf.fail(ctx, p); err != nil {
				_ = pf.Remove(context.WithoutCancel(ctx))
				return nil, fmt.Errorf("%s: %w", f.Name, err)
			}
		}
		return pf, nil
	}
	return nil, fmt.Errorf("%s: PodChaos action %q cannot be realized", f.Name, pc.Spec.Action)
}

// killContainer SIGKILLs one container's process: through the node's runtime where the backend
// can reach it (kind), else from the pod's other meshd, which sees it in the pod's shared
// process namespace.
func (m *kubeMesh) killContainer(ctx context.Context, p *corev1.Pod, name string) error {
	if m.b.o.KillContainer != nil {
		id, err := containerID(p, name)
		if err != nil {
			return err
		}
		return m.b.o.KillContainer(ctx, p.Spec.NodeName, id)
	}
	via := map[string]int{"service": AdminPort, "sidecar": ServiceAdminPort}[name]
	if via == 0 {
		return fmt.Errorf("pod %s has no container %q (service, sidecar)", p.Name, name)
	}
	return adminapi.Call(ctx, m.transport(p.Name, via, true), http.MethodPost, adminapi.Kill, map[string]string{"role": name}, nil)
}

func (m *kubeMesh) killDiffs() []string {
	if m.b.o.KillContainer != nil {
		return nil
	}
	return []string{"the SIGKILL comes from the pod's other container through its shared process namespace, not from the container runtime"}
}

// containerID is the runtime's ID of a pod's container ("containerd://ID" without its scheme).
func containerID(p *corev1.Pod, name string) (string, error) {
	for _, cs := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		if cs.Name == name {
			if _, id, ok := strings.Cut(cs.ContainerID, "://"); ok && id != "" {
				return id, nil
			}
			return "", fmt.Errorf("pod %s: container %s is not running", p.Name, name)
		}
	}
	return "", fmt.Errorf("pod %s has no container %q", p.Name, name)
}

// oneShot is an injection that acts once and has nothing to recover.
type oneShot struct{ diffs []string }

func (oneShot) Remove(context.Context) error { return nil }
func (o oneShot) Differences() []string      { return o.diffs }

// podFailure holds pods' images swapped for pause until removed.
type podFailure struct {
	m    *kubeMesh
	mu   sync.Mutex
	pods map[string]map[string]string // pod → container → its original image
	once sync.Once
	err  error
}

// fail swaps every container's image of p for the node's pause image, keeping the originals in
// an annotation.
func (pf *podFailure) fail(ctx context.Context, p *corev1.Pod) error {
	pause, err := pf.m.pauseImage(ctx, p.Spec.NodeName)
	if err != nil {
		return err
	}
	orig := map[string]string{}
	swap := map[string][]map[string]string{}
	for _, list := range []struct {
		field string
		cs    []corev1.Container
	}{{"initContainers", p.Spec.InitContainers}, {"containers", p.Spec.Containers}} {
		for _, c := range list.cs {
			orig[c.Name] = c.Image
			swap[list.field] = append(swap[list.field], map[string]string{"name": c.Name, "image": pause})
		}
	}
	keep, _ := json.Marshal(orig)
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{AnnotationOriginalImages: string(keep)}},
		"spec": swap})
	if _, err := pf.m.client.CoreV1().Pods(pf.m.ns).Patch(ctx, p.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager}); err != nil {
		return fmt.Errorf("swapping pod %s's images for %s: %w", p.Name, pause, err)
	}
	pf.mu.Lock()
	defer pf.mu.Unlock()
	if pf.pods == nil {
		pf.pods = map[string]map[string]string{}
	}
	pf.pods[p.Name] = orig
	return nil
}

// Remove restores every swapped pod's images (a pod deleted meanwhile has nothing to restore).
func (pf *podFailure) Remove(ctx context.Context) error {
	pf.once.Do(func() {
		pf.mu.Lock()
		defer pf.mu.Unlock()
		var errs []string
		for name, orig := range pf.pods {
			swap := map[string][]map[string]string{}
			p, err := pf.m.client.CoreV1().Pods(pf.m.ns).Get(ctx, name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				continue
			}
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			for _, c := range p.Spec.InitContainers {
				swap["initContainers"] = append(swap["initContainers"], map[string]string{"name": c.Name, "image": orig[c.Name]})
			}
			for _, c := range p.Spec.Containers {
				swap["containers"] = append(swap["containers"], map[string]string{"name": c.Name, "image": orig[c.Name]})
			}
			patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]any{AnnotationOriginalImages: nil}},
				"spec": swap})
			if _, err := pf.m.client.CoreV1().Pods(pf.m.ns).Patch(ctx, name, types.StrategicMergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager}); err != nil && !apierrors.IsNotFound(err) {
				errs = append(errs, fmt.Sprintf("restoring pod %s's images: %v", name, err))
			}
		}
		if len(errs) > 0 {
			pf.err = fmt.Errorf("%s", strings.Join(errs, "; "))
		}
	})
	return pf.err
}

func (pf *podFailure) Differences() []string { return nil }

// pauseImage is the pause image the node has (its sandbox image): pod-failure runs it,
// IfNotPresent, so nothing is pulled.
func (m *kubeMesh) pauseImage(ctx context.Context, node string) (string, error) {
	n, err := m.client.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("reading node %s for its pause image: %w", node, err)
	}
	for _, img := range n.Status.Images {
		for _, name := range img.Names {
			if i := strings.LastIndex(name, "/pause:"); i >= 0 && !strings.Contains(name, "@") {
				return name, nil
			}
		}
	}
	return "", fmt.Errorf("node %s lists no pause image", node)
}

// withDiffs adds differences to an injection's.
type withDiffs struct {
	clusters.Injection
	more []string
}

func (w withDiffs) Differences() []string { return append(w.Injection.Differences(), w.more...) }
