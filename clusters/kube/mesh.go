package kube

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/clusters/realize"
	"github.com/meshlab/meshlab/internal/sleep"
	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/scenarios"
)

// kubeMesh is a mesh running in a namespace of its own.
type kubeMesh struct {
	b      *backend
	spec   clusters.Spec
	ns     string
	client kubernetes.Interface
	dyn    dynamic.Interface
	log    *slog.Logger
	fw     *forwarder
	faults *realize.Realizer
	ready  time.Duration

	gatewayURL string
	gatewayFwd *localForward // kube: the local port forwarded to the gateway pod

	mu         sync.Mutex
	transports map[string]*podTransport // pod:port → its admin transport
	downOnce   sync.Once
	downErr    error
}

// up applies the manifests, waits for the rollouts, reaches the gateway and waits until it
// routes to every instance.
func (m *kubeMesh) up(ctx context.Context) error {
	objs := Manifests(Layout{RunID: m.spec.RunID, Namespace: m.ns, Image: m.b.o.Image, Token: m.spec.Token,
		Topology: m.spec.Topology, Seed: m.spec.Seed, GatewayNodePort: m.b.o.GatewayNodePort})
	if err := apply(ctx, m.dyn, objs); err != nil {
		return err
	}
	var names []string
	for _, o := range objs {
		if d, ok := o.(*appsv1.Deployment); ok {
			names = append(names, d.Name)
		}
	}
	if err := waitRollouts(ctx, m.client, m.ns, names, m.b.o.RolloutTimeout); err != nil {
		return err
	}
	m.gatewayURL = m.b.o.GatewayURL
	if m.gatewayURL == "" {
		fwd, err := m.forwardGateway()
		if err != nil {
			return err
		}
		m.gatewayFwd, m.gatewayURL = fwd, "http://"+fwd.Addr()
	}
	return m.waitConverged(ctx)
}

// waitConverged waits until the gateway's endpoint table holds every instance of the topology.
func (m *kubeMesh) waitConverged(ctx context.Context) error {
	want := map[string]int{}
	for _, svc := range scenarios.Services {
		want[svc] = m.spec.Topology.Replicas[svc]
	}
	ctx, cancel := context.WithTimeout(ctx, m.b.o.RolloutTimeout)
	defer cancel()
	var last string
	for {
		t, err := m.Target(ctx, "gateway")
		if err == nil && t.Proxy != nil {
			var cfg struct {
				Endpoints map[string][]struct{ ID string } `json:"endpoints"`
			}
			if err = adminapi.Call(ctx, t.Proxy, http.MethodGet, adminapi.Config, nil, &cfg); err == nil {
				ok := true
				for svc, n := range want {
					ok = ok && len(cfg.Endpoints[svc]) == n
				}
				if ok {
					return nil
				}
				last = fmt.Sprintf("the gateway routes to %v", counts(cfg.Endpoints))
			}
		}
		if err != nil {
			last = err.Error()
		}
		if !sleep.For(ctx, 200*time.Millisecond) {
			return fmt.Errorf("the mesh did not converge: %d instances expected (%v); last: %s", total(want), want, last)
		}
	}
}

func counts[T any](m map[string][]T) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		out[k] = len(v)
	}
	return out
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// GatewayURL implements clusters.Mesh.
func (m *kubeMesh) GatewayURL() string { return m.gatewayURL }

// Ready implements clusters.Mesh.
func (m *kubeMesh) Ready() time.Duration { return m.ready }

// Workloads implements clusters.Mesh: the topology's instances, each with the address of the pod
// that plays it now (podFor).
func (m *kubeMesh) Workloads() []clusters.Workload {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []clusters.Workload
	sc := scenarios.Scenario{Topology: m.spec.Topology}
	for _, w := range sc.Workloads() {
		cw := clusters.Workload{ID: w.Name, App: w.Labels["app"], Version: w.Labels["version"], Labels: w.Labels}
		if p, err := m.podFor(ctx, w.Name); err == nil {
			cw.IP = p.Status.PodIP
		}
		out = append(out, cw)
	}
	return out
}

// SetPolicy implements clusters.PolicySetter: PUT to the control plane, by port-forward.
func (m *kubeMesh) SetPolicy(ctx context.Context, p policy.MeshPolicy) (uint64, error) {
	pod, err := m.firstPod(ctx, "app="+ControlPlane)
	if err != nil {
		return 0, err
	}
	rt := m.transport(pod.Name, ControlPlanePort, false)
	v, err := controlplane.NewClientVia("http://"+ControlPlane, rt, m.log).PutPolicy(ctx, m.spec.Token, p)
	if err != nil {
		return 0, fmt.Errorf("setting the mesh policy: %w", err)
	}
	return v, nil
}

// MetricsTargets implements clusters.MetricsSource: the gateway's and every running sidecar's
// admin API, reached by port-forward, named by pod.
func (m *kubeMesh) MetricsTargets() []clusters.MetricsTarget {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pods, err := m.client.CoreV1().Pods(m.ns).List(ctx, metav1.ListOptions{LabelSelector: "app!=" + ControlPlane})
	if err != nil {
		m.log.Warn("listing pods for a scrape", "err", err)
		return nil
	}
	var out []clusters.MetricsTarget
	for _, p := range pods.Items {
		if p.DeletionTimestamp != nil || p.Status.PodIP == "" {
			continue
		}
		out = append(out, clusters.MetricsTarget{Workload: p.Name, Admin: m.transport(p.Name, AdminPort, true),
			Where: "pod " + p.Name + " (port-forward)"})
	}
	slices.SortFunc(out, func(a, b clusters.MetricsTarget) int { return compare(a.Workload, b.Workload) })
	return out
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Down deletes the run's namespace and waits until it is gone, within ctx; safe to call more
// than once (later calls return the first one's result).
func (m *kubeMesh) Down(ctx context.Context) error {
	m.downOnce.Do(func() { m.downErr = m.down(ctx) })
	return m.downErr
}

func (m *kubeMesh) down(ctx context.Context) error {
	if m.gatewayFwd != nil {
		m.gatewayFwd.Close()
	}
	m.fw.Close()
	// The pods first, without a grace period: the run is over, and a namespace waits for every
	// pod's termination grace before it goes.
	zero := int64(0)
	_ = m.client.CoreV1().Pods(m.ns).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{})
	err := m.client.CoreV1().Namespaces().Delete(ctx, m.ns, metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("deleting namespace %s: %w (kubectl delete namespace %s, or meshlab clean)", m.ns, err, m.ns)
	}
	return waitGone(ctx, m.client, m.ns)
}

// waitGone waits until the namespace no longer exists.
func waitGone(ctx context.Context, client kubernetes.Interface, ns string) error {
	for {
		_, err := client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if !sleep.For(ctx, 250*time.Millisecond) {
			return fmt.Errorf("namespace %s did not delete in time (it is terminating: kubectl get namespace %s -o yaml shows what holds it; meshlab clean retries)", ns, ns)
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			continue
		}
	}
}

var (
	_ clusters.Mesh          = (*kubeMesh)(nil)
	_ clusters.PolicySetter  = (*kubeMesh)(nil)
	_ clusters.MetricsSource = (*kubeMesh)(nil)
	_ clusters.Injector      = (*kubeMesh)(nil)
	_ realize.Mesh           = (*kubeMesh)(nil)
)
