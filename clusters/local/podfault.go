package local

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"github.com/chaos-mesh/chaos-mesh/api/v1alpha1"

	"github.com/meshlab/meshlab/clusters"
)

// podFault realizes PodChaos: pod-kill signals both processes of each selected pod (SIGKILL, or
// SIGTERM then SIGKILL after gracePeriod) and the supervisor brings fresh ones after the restart
// delay; container-kill SIGKILLs only the named container's process; pod-failure holds the
// service process down for the duration (the sidecar answers 503, the instance is NotReady) and
// starts it cold on recovery, in-memory state lost.
func (m *localMesh) podFault(f clusters.Fault, pc *v1alpha1.PodChaos) (clusters.Injection, error) {
	pods, err := m.podsByID(f.Selected)
	if err != nil {
		return nil, err
	}
	switch pc.Spec.Action {
	case v1alpha1.PodKillAction, "":
		grace := time.Duration(pc.Spec.GracePeriod) * time.Second
		for _, p := range pods {
			go p.sidecar.signal(grace)
			go p.app.signal(grace)
		}
		return oneShot{}, nil
	case v1alpha1.ContainerKillAction:
		for _, p := range pods {
			for _, name := range pc.Spec.ContainerNames {
				switch name {
				case "service":
					p.app.signal(0)
				case "sidecar":
					p.sidecar.signal(0)
				default:
					return nil, fmt.Errorf("%s: containerNames: %q is neither service nor sidecar", f.Name, name)
				}
			}
		}
		return oneShot{}, nil
	case v1alpha1.PodFailureAction:
		for _, p := range pods {
			p.app.hold(true)
			p.app.signal(0)
		}
		return &podFailure{pods: pods}, nil
	}
	return nil, fmt.Errorf("%s: PodChaos action %q cannot be realized locally", f.Name, pc.Spec.Action)
}

// oneShot is an injection that acts once and has nothing to recover.
type oneShot struct{}

func (oneShot) Remove(context.Context) error { return nil }
func (oneShot) Differences() []string {
	return []string{"the pod keeps its name and ordinal when recreated (a ReplicaSet would give it a new name)"}
}

// podFailure holds service processes down until removed.
type podFailure struct{ pods []*pod }

func (pf *podFailure) Remove(context.Context) error {
	for _, p := range pf.pods {
		p.app.hold(false)
	}
	return nil
}

func (pf *podFailure) Differences() []string {
	return []string{"the service process is stopped instead of its image being replaced by pause; the sidecar keeps running"}
}

func (m *localMesh) podsByID(ids []string) ([]*pod, error) {
	var out []*pod
	for _, id := range ids {
		found := false
		for _, p := range m.pods {
			if p.id == id {
				out, found = append(out, p), true
			}
		}
		if !found {
			return nil, fmt.Errorf("no pod %q in this mesh", id)
		}
	}
	return out, nil
}

// signal kills the current incarnation: SIGKILL at once when grace is 0, else SIGTERM and
// SIGKILL after grace. The supervisor restarts it.
func (p *process) signal(grace time.Duration) {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	if grace == 0 {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(grace):
		_ = cmd.Process.Signal(syscall.SIGKILL)
	}
}
