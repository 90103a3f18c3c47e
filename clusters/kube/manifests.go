package kube

import (
	"fmt"
	"slices"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/meshlab/meshlab/scenarios"
)

// Layout is what one run's manifests are generated from.
type Layout struct {
	RunID     string
	Namespace string // NamespaceFor(RunID) unless set
	Image     string // the meshd image (meshd and meshcp), by a digest-derived tag
	Token     string // the run token, in the run's Secret
	Topology  scenarios.Topology
	Seed      uint64
	// GatewayNodePort exposes the gateway on every node's port (kind maps it to 127.0.0.1);
	// 0: a ClusterIP Service, reached by port-forward.
	GatewayNodePort int32
}

// Workload is one Deployment of the mesh: a service at a version, the gateway, or the control
// plane, with the pods' labels.
type Workload struct {
	Name     string // the Deployment's name: "payment-v1", "gateway", "controlplane"
	App      string // the app label: "payment"
	Version  string
	Replicas int32
}

// Workloads are the Deployments of a topology's services, one per service and version, in the
// order of scenarios.Services then version.
func Workloads(t scenarios.Topology) []Workload {
	var out []Workload
	for _, svc := range scenarios.Services {
		n := t.Replicas[svc]
		if n == 0 {
			n = scenarios.DefaultReplicas[svc]
		}
		counts := map[string]int32{}
		var versions []string
		for i := range n {
			v := t.VersionOf(svc, i)
			if counts[v] == 0 {
				versions = append(versions, v)
			}
			counts[v]++
		}
		slices.Sort(versions)
		for _, v := range versions {
			out = append(out, Workload{Name: svc + "-" + v, App: svc, Version: v, Replicas: counts[v]})
		}
	}
	return out
}

// Manifests are the objects of one run's mesh in the order they are applied: the namespace,
// the run token, the control plane's identity and role, the control plane, the services' pods
// and Services, and the gateway.
func Manifests(l Layout) []runtime.Object {
	if l.Namespace == "" {
		l.Namespace = NamespaceFor(l.RunID)
	}
	m := manifests{l: l}
	objs := []runtime.Object{m.namespace(), m.secret()}
	objs = append(objs, m.controlPlane()...)
	for _, w := range Workloads(l.Topology) {
		objs = append(objs, m.service(w))
	}
	for _, svc := range scenarios.Services {
		objs = append(objs, m.serviceEndpoints(svc))
	}
	return append(objs, m.gateway()...)
}

type manifests struct{ l Layout }

func (m manifests) labels(extra map[string]string) map[string]string {
	out := map[string]string{LabelManagedBy: ManagedBy, LabelRun: RunLabel(m.l.RunID)}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func (m manifests) meta(name string, extra map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: m.l.Namespace, Labels: m.labels(extra)}
}

func (m manifests) namespace() *corev1.Namespace {
	return &corev1.Namespace{TypeMeta: typeMeta("v1", "Namespace"),
		ObjectMeta: metav1.ObjectMeta{Name: m.l.Namespace, Labels: m.labels(nil)}}
}

func (m manifests) secret() *corev1.Secret {
	return &corev1.Secret{TypeMeta: typeMeta("v1", "Secret"), ObjectMeta: m.meta(TokenSecret, nil),
		Type: corev1.SecretTypeOpaque, StringData: map[string]string{"token": m.l.Token}}
}

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

// controlPlane is its ServiceAccount, Role (read EndpointSlices and pods in the namespace),
// RoleBinding, Deployment and Service.
func (m manifests) controlPlane() []runtime.Object {
	sel := map[string]string{"app": ControlPlane}
	role := &rbacv1.Role{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "Role"), ObjectMeta: m.meta(ControlPlane, nil),
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{"discovery.k8s.io"}, Resources: []string{"endpointslices"}, Verbs: []string{"get", "list", "watch"}},
			{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}},
		}}
	binding := &rbacv1.RoleBinding{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "RoleBinding"), ObjectMeta: m.meta(ControlPlane, nil),
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: ControlPlane},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: ControlPlane, Namespace: m.l.Namespace}}}
	c := m.container(ControlPlane, []string{"/meshcp"}, []string{"--listen", fmt.Sprintf("0.0.0.0:%d", ControlPlanePort),
		"--namespace", m.l.Namespace, "--ca-dir", "/var/run/meshlab/ca"})
	c.Ports = []corev1.ContainerPort{{Name: "api", ContainerPort: ControlPlanePort}}
	c.ReadinessProbe = httpProbe("/healthz", ControlPlanePort)
	c.VolumeMounts = []corev1.VolumeMount{{Name: "ca", MountPath: "/var/run/meshlab/ca"}}
	pod := corev1.PodSpec{ServiceAccountName: ControlPlane, Containers: []corev1.Container{c},
		Volumes: []corev1.Volume{{Name: "ca", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}}
	return []runtime.Object{
		&corev1.ServiceAccount{TypeMeta: typeMeta("v1", "ServiceAccount"), ObjectMeta: m.meta(ControlPlane, nil)},
		role, binding,
		m.deployment(ControlPlane, sel, 1, pod),
		m.svc(ControlPlane, sel, corev1.ServicePort{Name: "api", Port: ControlPlanePort, TargetPort: intstr.FromInt32(ControlPlanePort)}, corev1.ServiceTypeClusterIP),
	}
}

// service is one service's Deployment at one version: each pod holds meshd as a native
// sidecar (an init container that keeps running) and the service.
func (m manifests) service(w Workload) *appsv1.Deployment {
	t := m.l.Topology
	sel := map[string]string{"app": w.App, "version": w.Version}
	sidecar := m.container("sidecar", nil, []string{"sidecar", "--service", w.App, "--instance", "$(POD_NAME)",
		"--version", w.Version, "--controlplane", m.controlPlaneURL(),
		"--timeout", t.Timeout.String(), "--retries", strconv.Itoa(*t.Retries), "--workers", strconv.Itoa(*t.ProxyWorkers),
		"--app", fmt.Sprintf("127.0.0.1:%d", AppPort), "--inbound", fmt.Sprintf("0.0.0.0:%d", InboundPort),
		"--outbound", fmt.Sprintf("127.0.0.1:%d", OutboundPort), "--admin", fmt.Sprintf("127.0.0.1:%d", AdminPort),
		"--health", fmt.Sprintf("0.0.0.0:%d", HealthPort), "--namespace", m.l.Namespace, "--register=false"})
	always := corev1.ContainerRestartPolicyAlways
	sidecar.RestartPolicy = &always
	sidecar.Ports = []corev1.ContainerPort{{Name: "mesh", ContainerPort: InboundPort}, {Name: "health", ContainerPort: HealthPort}}
	sidecar.ReadinessProbe = httpProbe("/healthz/ready", HealthPort)
	sidecar.Resources = resources("10m", "16Mi", "256Mi")
	app := m.container("service", nil, []string{"service", "--service", w.App, "--instance", "$(POD_NAME)",
		"--seed", strconv.FormatUint(m.l.Seed, 10), "--work", t.ServiceTime[w.App].WorkFlag(),
		"--listen", fmt.Sprintf("127.0.0.1:%d", AppPort), "--admin", fmt.Sprintf("127.0.0.1:%d", ServiceAdminPort),
		"--outbound", fmt.Sprintf("http://127.0.0.1:%d", OutboundPort)})
	app.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: AppPort}}
	app.Resources = resources("10m", "16Mi", "1Gi")
	share := true
	pod := corev1.PodSpec{InitContainers: []corev1.Container{sidecar}, Containers: []corev1.Container{app},
		ShareProcessNamespace: &share}
	return m.deployment(w.Name, sel, w.Replicas, pod)
}

// serviceEndpoints is the Service of one service's pods, every version: its EndpointSlices
// list the ready pods' inbound ports, what the control plane serves the sidecars.
func (m manifests) serviceEndpoints(svc string) *corev1.Service {
	return m.svc(svc, map[string]string{"app": svc},
		corev1.ServicePort{Name: "mesh", Port: InboundPort, TargetPort: intstr.FromString("mesh")}, corev1.ServiceTypeClusterIP)
}

// gateway is the gateway's Deployment and Service (a NodePort when the layout asks for one).
func (m manifests) gateway() []runtime.Object {
	t := m.l.Topology
	sel := map[string]string{"app": Gateway, "version": "v1"}
	c := m.container(Gateway, nil, []string{"gateway", "--controlplane", m.controlPlaneURL(),
		"--timeout", t.Timeout.String(), "--retries", strconv.Itoa(*t.Retries),
		"--listen", fmt.Sprintf("0.0.0.0:%d", GatewayPort), "--admin", fmt.Sprintf("127.0.0.1:%d", AdminPort),
		"--health", fmt.Sprintf("0.0.0.0:%d", HealthPort), "--namespace", m.l.Namespace})
	c.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: GatewayPort}, {Name: "health", ContainerPort: HealthPort}}
	c.ReadinessProbe = httpProbe("/healthz/ready", HealthPort)
	c.Resources = resources("10m", "16Mi", "256Mi")
	port := corev1.ServicePort{Name: "http", Port: GatewayPort, TargetPort: intstr.FromString("http")}
	typ := corev1.ServiceTypeClusterIP
	if m.l.GatewayNodePort != 0 {
		port.NodePort, typ = m.l.GatewayNodePort, corev1.ServiceTypeNodePort
	}
	return []runtime.Object{
		m.deployment(Gateway, sel, 1, corev1.PodSpec{Containers: []corev1.Container{c}}),
		m.svc(Gateway, sel, port, typ),
	}
}

func (m manifests) controlPlaneURL() string {
	return fmt.Sprintf("http://%s.%s.svc:%d", ControlPlane, m.l.Namespace, ControlPlanePort)
}

// container is a container of the meshd image: the image never pulled, the run token and the
// pod's name and address from the environment. A nil command keeps the image's entrypoint
// (meshd), so that PodChaos pod-failure's pause image, which takes the args and ignores them,
// runs in its place as Chaos Mesh means.
func (m manifests) container(name string, command, args []string) corev1.Container {
	return corev1.Container{
		Name: name, Image: m.l.Image, ImagePullPolicy: corev1.PullIfNotPresent,
		Command: command, Args: args,
		Env: []corev1.EnvVar{
			{Name: "MESHD_TOKEN", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: TokenSecret}, Key: "token"}}},
			{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
			{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
		},
	}
}

func (m manifests) deployment(name string, sel map[string]string, replicas int32, pod corev1.PodSpec) *appsv1.Deployment {
	grace := int64(2)
	pod.TerminationGracePeriodSeconds = &grace
	pod.EnableServiceLinks = new(bool)
	return &appsv1.Deployment{TypeMeta: typeMeta("apps/v1", "Deployment"), ObjectMeta: m.meta(name, sel),
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: sel},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: m.labels(sel)}, Spec: pod}}}
}

func (m manifests) svc(name string, sel map[string]string, port corev1.ServicePort, typ corev1.ServiceType) *corev1.Service {
	return &corev1.Service{TypeMeta: typeMeta("v1", "Service"), ObjectMeta: m.meta(name, map[string]string{"app": sel["app"]}),
		Spec: corev1.ServiceSpec{Type: typ, Selector: sel, Ports: []corev1.ServicePort{port}}}
}

func httpProbe(path string, port int32) *corev1.Probe {
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromInt32(port)}},
		PeriodSeconds: 1, FailureThreshold: 1, SuccessThreshold: 1, TimeoutSeconds: 1}
}

func resources(cpu, memory, memoryLimit string) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(memory)},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(memoryLimit)},
	}
}
