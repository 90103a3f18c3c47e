// Package kube is the Kubernetes backend: a mesh's workloads, generated from the scenario's
// topology, in a namespace of its own on any cluster a kubeconfig reaches, applied with
// server-side apply and torn down with the namespace. Pods hold the service and meshd as a
// native sidecar; endpoints follow Kubernetes readiness (EndpointSlices, watched by the
// in-cluster control plane); faults go through the Kubernetes API in Chaos Mesh's meaning
// (PodChaos) or through the sidecars' admin APIs, reached by port-forward (NetworkChaos,
// HTTPChaos, StressChaos). The kind backend (clusters/kind) brings a cluster and hands over here.
//
//	namespace meshlab-<run>   (labels: app.kubernetes.io/managed-by=meshlab, meshlab.dev/run)
//	  controlplane  Deployment + Service :15010, ServiceAccount with a Role on endpointslices, pods
//	  gateway       Deployment + Service :8080 (NodePort on kind)
//	  <svc>-<ver>   Deployment per service and version: pod = sidecar (init, restartPolicy Always)
//	                + service; Service <svc> :15006 → EndpointSlices → control plane → sidecars
//	  meshlab-run   Secret: the run token
package kube
