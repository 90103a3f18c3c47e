package nodeimage

// Versions pins every input of the node image. Kubernetes v1.34 because this project's
// machines are cgroup v1 hosts: v1.35's kubelet refuses cgroup v1 unless failCgroupV1 is false,
// and v1.34 is the newest that runs on it with its defaults (cgroup v1 is in maintenance mode,
// a warning only).
type Versions struct {
	Kubernetes           string // k8s.io/kubernetes, its staging modules at the matching v0.x
	KubernetesDate       string // the release's date, kube's buildDate stamp (reproducible)
	Etcd                 string // go.etcd.io/etcd/server/v3: kubeadm v1.34's etcd
	EtcdImageTag         string // the tag kubeadm asks for
	CoreDNS              string // github.com/coredns/coredns: kubeadm v1.34's CoreDNS
	Pause                string // k8s.io/kubernetes/build/pause: kubeadm v1.34's pause
	CriTools             string // sigs.k8s.io/cri-tools (crictl)
	CNIPlugins           string // github.com/containernetworking/plugins
	LocalPathProvisioner string // github.com/rancher/local-path-provisioner
	Kind                 string // sigs.k8s.io/kind: base files, manifests, cluster API
	DebianSuite          string // the base rootfs, containerd, runc, iptables, busybox-static
}

// Default is what `meshlab kind node-image` builds.
var Default = Versions{
	Kubernetes:           "v1.34.3",
	KubernetesDate:       "2025-12-09T14:59:13Z",
	Etcd:                 "v3.6.5",
	EtcdImageTag:         "3.6.5-0",
	CoreDNS:              "v1.12.1",
	Pause:                "3.10.1",
	CriTools:             "v1.34.0",
	CNIPlugins:           "v1.9.1",
	LocalPathProvisioner: "v0.0.30",
	Kind:                 "v0.33.0",
	DebianSuite:          "bookworm",
}

// stagingVersion is the published version of Kubernetes' staging modules for v (v1.34.3 → v0.34.3).
func stagingVersion(v string) string { return "v0" + v[len("v1"):] }

// majorMinor splits v1.34.3 into "1" and "34".
func majorMinor(v string) (string, string) {
	var major, minor string
	i := 1
	for i < len(v) && v[i] != '.' {
		major += string(v[i])
		i++
	}
	for i++; i < len(v) && v[i] != '.'; i++ {
		minor += string(v[i])
	}
	return major, minor
}
