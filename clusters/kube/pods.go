package kube

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/meshlab/meshlab/clusters/realize"
)

// podFor is the pod that plays a workload of the scenario now. A scenario names its instances
// by ordinal ("payment-2"); a Deployment's pods have names of their own. The k-th instance of a
// service at a version is the k-th live pod of that version's Deployment, oldest first; the
// gateway is the gateway's pod.
func (m *kubeMesh) podFor(ctx context.Context, workload string) (*corev1.Pod, error) {
	if workload == Gateway {
		return m.firstPod(ctx, "app="+Gateway)
	}
	i := strings.LastIndexByte(workload, '-')
	ordinal, err := strconv.Atoi(workload[i+1:])
	if i < 0 || err != nil {
		return nil, fmt.Errorf("no workload %q in this mesh", workload)
	}
	svc := workload[:i]
	version := m.spec.Topology.VersionOf(svc, ordinal)
	k := 0
	for j := range ordinal {
		if m.spec.Topology.VersionOf(svc, j) == version {
			k++
		}
	}
	pods, err := m.livePods(ctx, "app="+svc+",version="+version)
	if err != nil {
		return nil, err
	}
	if k >= len(pods) {
		return nil, fmt.Errorf("workload %s: %s-%s has %d pods now, not %d", workload, svc, version, len(pods), k+1)
	}
	return &pods[k], nil
}

// firstPod is the oldest live pod the selector matches.
func (m *kubeMesh) firstPod(ctx context.Context, selector string) (*corev1.Pod, error) {
	pods, err := m.livePods(ctx, selector)
	if err != nil {
		return nil, err
	}
	if len(pods) == 0 {
		return nil, fmt.Errorf("no pod %s in namespace %s", selector, m.ns)
	}
	return &pods[0], nil
}

// livePods are the pods the selector matches that are not being deleted, oldest first.
func (m *kubeMesh) livePods(ctx context.Context, selector string) ([]corev1.Pod, error) {
	list, err := m.client.CoreV1().Pods(m.ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, fmt.Errorf("listing pods %s: %w", selector, err)
	}
	pods := slices.DeleteFunc(list.Items, func(p corev1.Pod) bool { return p.DeletionTimestamp != nil })
	slices.SortFunc(pods, func(a, b corev1.Pod) int {
		if c := a.CreationTimestamp.Compare(b.CreationTimestamp.Time); c != 0 {
			return c
		}
		return compare(a.Name, b.Name)
	})
	return pods, nil
}

// Target implements realize.Mesh: the workload's pod, its sidecar's (or the gateway's) and its
// service's admin APIs by port-forward, and its address.
func (m *kubeMesh) Target(ctx context.Context, workload string) (realize.Target, error) {
	var t realize.Target
	p, err := m.podFor(ctx, workload)
	if err != nil {
		return t, err
	}
	if p.Status.PodIP == "" || p.Status.Phase != corev1.PodRunning {
		return t, nil // not running: rules reach it when it is (Restore)
	}
	t.IP, err = netip.ParseAddr(p.Status.PodIP)
	if err != nil {
		return t, fmt.Errorf("pod %s: address %q: %w", p.Name, p.Status.PodIP, err)
	}
	t.Proxy = m.transport(p.Name, AdminPort, true)
	if workload != Gateway {
		t.Service = m.transport(p.Name, ServiceAdminPort, true)
	}
	return t, nil
}
