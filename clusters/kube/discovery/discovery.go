// Package discovery feeds a control plane the mesh's endpoints as Kubernetes sees them: the
// EndpointSlices of the mesh's Services, each endpoint a pod (its labels read from the pod),
// ready when Kubernetes says so, gone once it is terminating. It is what the in-cluster control
// plane (cmd/meshcp) runs, with a ServiceAccount whose Role reads endpointslices and pods in
// the run's namespace; failover thus includes Kubernetes' own propagation (kubelet readiness
// probe → EndpointSlice controller → watch), as with Istio or Linkerd.
package discovery

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	discoverylisters "k8s.io/client-go/listers/discovery/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/meshlab/meshlab/mesh/controlplane"
)

// PortName is the name of the Services' port that lists the sidecars' inbound listeners.
const PortName = "mesh"

// Run watches the EndpointSlices and pods of namespace and calls set with the whole instance
// set after every change, until ctx ends. services are the Services whose endpoints are the
// mesh's (the four services); others are ignored.
func Run(ctx context.Context, client kubernetes.Interface, namespace string, services []string,
	set func([]controlplane.Instance), log *slog.Logger) error {
	f := informers.NewSharedInformerFactoryWithOptions(client, 10*time.Minute, informers.WithNamespace(namespace))
	eps := f.Discovery().V1().EndpointSlices()
	pods := f.Core().V1().Pods()
	w := &watcher{slices: eps.Lister(), pods: pods.Lister(), services: services, set: set, log: log,
		changed: make(chan struct{}, 1)}
	h := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { w.poke() },
		UpdateFunc: func(any, any) { w.poke() },
		DeleteFunc: func(any) { w.poke() },
	}
	if _, err := eps.Informer().AddEventHandler(h); err != nil {
		return err
	}
	if _, err := pods.Informer().AddEventHandler(h); err != nil {
		return err
	}
	f.Start(ctx.Done())
	defer f.Shutdown()
	for typ, ok := range f.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("watching %v in %s: the cache did not sync", typ, namespace)
		}
	}
	w.publish()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-w.changed:
			w.publish()
		}
	}
}

type watcher struct {
	slices   discoverylisters.EndpointSliceLister
	pods     corelisters.PodLister
	services []string
	set      func([]controlplane.Instance)
	log      *slog.Logger
	changed  chan struct{}
}

// poke asks for a publish; events that come while one is pending fold into it.
func (w *watcher) poke() {
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

func (w *watcher) publish() {
	all, err := w.slices.List(labels.Everything())
	if err != nil {
		w.log.Error("listing endpointslices", "err", err)
		return
	}
	podsByName := map[string]*corev1.Pod{}
	if ps, err := w.pods.List(labels.Everything()); err == nil {
		for _, p := range ps {
			podsByName[p.Name] = p
		}
	}
	insts := Instances(all, podsByName, w.services)
	w.log.Debug("endpoints", "instances", len(insts))
	w.set(insts)
}

// Instances are the mesh's instances the EndpointSlices list: one per endpoint of a slice of
// one of services (by its kubernetes.io/service-name label) that names a pod, its address the
// endpoint's first address and the slice's PortName port, its labels the pod's app and version
// (and pod: its name), ready when the endpoint's ready condition is (absent means ready, as the
// API documents) and it is not terminating. A pod listed by several slices counts once, ready
// if any says so.
func Instances(all []*discoveryv1.EndpointSlice, pods map[string]*corev1.Pod, services []string) []controlplane.Instance {
	byID := map[string]controlplane.Instance{}
	for _, s := range all {
		svc := s.Labels[discoveryv1.LabelServiceName]
		port, ok := meshPort(s)
		if !ok || !slices.Contains(services, svc) {
			continue
		}
		for _, ep := range s.Endpoints {
			if ep.TargetRef == nil || ep.TargetRef.Kind != "Pod" || len(ep.Addresses) == 0 {
				continue
			}
			ready := (ep.Conditions.Ready == nil || *ep.Conditions.Ready) &&
				(ep.Conditions.Terminating == nil || !*ep.Conditions.Terminating)
			inst := controlplane.Instance{ID: ep.TargetRef.Name, Service: svc,
				Addr: net.JoinHostPort(ep.Addresses[0], strconv.Itoa(int(port))), Ready: ready,
				Labels: map[string]string{"app": svc, "pod": ep.TargetRef.Name}}
			if p := pods[ep.TargetRef.Name]; p != nil {
				for _, k := range []string{"app", "version"} {
					if v, ok := p.Labels[k]; ok {
						inst.Labels[k] = v
					}
				}
			}
			if old, seen := byID[inst.ID]; seen && old.Ready {
				continue
			}
			byID[inst.ID] = inst
		}
	}
	out := make([]controlplane.Instance, 0, len(byID))
	for _, inst := range byID {
		out = append(out, inst)
	}
	slices.SortFunc(out, func(a, b controlplane.Instance) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func meshPort(s *discoveryv1.EndpointSlice) (int32, bool) {
	for _, p := range s.Ports {
		if p.Name != nil && *p.Name == PortName && p.Port != nil {
			return *p.Port, true
		}
	}
	return 0, false
}
