package nodeimage

import (
	"debug/buildinfo"
	"fmt"
	"runtime"
	"sort"
)

// RecordPath is where the node image keeps its build record.
const RecordPath = "/kind/meshlab-build.json"

// Record is the node image's build record: where every binary and image came from.
type Record struct {
	Image    string            `json:"image,omitempty"`
	Versions Versions          `json:"versions"`
	Go       string            `json:"go"`
	Binaries []BinaryRecord    `json:"binaries"`
	Images   []ImageRecord     `json:"images"`
	Debian   map[string]string `json:"debian"` // every package of the node's rootfs → version
}

// BinaryRecord is one binary on the node.
type BinaryRecord struct {
	Path   string `json:"path"`
	Origin string `json:"origin"` // module@version, or Debian package=version
	Go     string `json:"go,omitempty"`
	SHA256 string `json:"sha256"`
}

// ImageRecord is one image in the node's containerd.
type ImageRecord struct {
	Ref      string   `json:"ref"`
	Manifest string   `json:"manifestDigest"`
	ID       string   `json:"id"` // the config digest: what the kubelet reports as a container's imageID
	Origin   []string `json:"origin"`
}

// nodePaths says where each binary goes on the node.
var nodePaths = map[string]string{
	"kubelet": "/usr/bin/kubelet", "kubeadm": "/usr/bin/kubeadm", "kubectl": "/usr/bin/kubectl",
	"crictl": "/usr/local/bin/crictl", "meshlab-runc": "/usr/local/sbin/meshlab-runc",
	"ptp": "/opt/cni/bin/ptp", "bridge": "/opt/cni/bin/bridge", "loopback": "/opt/cni/bin/loopback",
	"host-local": "/opt/cni/bin/host-local", "portmap": "/opt/cni/bin/portmap",
}

func (b *builder) origins() map[string]string {
	v := b.versions
	o := map[string]string{"crictl": "sigs.k8s.io/cri-tools@" + v.CriTools, "meshlab-runc": "github.com/meshlab/meshlab/cmd/meshlab-runc"}
	for _, n := range []string{"kubelet", "kubeadm", "kubectl"} {
		o[n] = "k8s.io/kubernetes@" + v.Kubernetes
	}
	for _, n := range []string{"ptp", "bridge", "loopback", "host-local", "portmap"} {
		o[n] = "github.com/containernetworking/plugins@" + v.CNIPlugins
	}
	return o
}

func (b *builder) newRecord(p *parts) (Record, error) {
	r := Record{Versions: b.versions, Go: runtime.Version(), Debian: map[string]string{}}
	st, err := readStatus(p.rootfs)
	if err != nil {
		return Record{}, err
	}
	for name, pkg := range st {
		r.Debian[name] = pkg.Version
	}
	origins := b.origins()
	for _, name := range sortedKeys(p.bins) {
		sum, err := fileHash(p.bins[name])
		if err != nil {
			return Record{}, err
		}
		bi, err := buildinfo.ReadFile(p.bins[name])
		if err != nil {
			return Record{}, fmt.Errorf("reading build info of %s: %w", name, err)
		}
		r.Binaries = append(r.Binaries, BinaryRecord{Path: nodePaths[name], Origin: origins[name], Go: bi.GoVersion, SHA256: sum})
	}
	for _, deb := range []struct{ path, pkg string }{{"/usr/bin/containerd", "containerd"}, {"/usr/sbin/runc", "runc"}, {"/usr/bin/ctr", "containerd"}} {
		r.Binaries = append(r.Binaries, BinaryRecord{Path: deb.path, Origin: "Debian " + deb.pkg + "=" + st[deb.pkg].Version})
	}
	sort.Slice(r.Binaries, func(i, j int) bool { return r.Binaries[i].Path < r.Binaries[j].Path })
	for _, img := range p.images {
		r.Images = append(r.Images, ImageRecord{Ref: img.Ref, Manifest: img.Digests.Manifest, ID: img.Digests.ID, Origin: img.Origin})
	}
	return r, nil
}
