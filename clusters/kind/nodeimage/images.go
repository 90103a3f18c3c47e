package nodeimage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/meshlab/meshlab/clusters/kind/ociimage"
)

// builtImage is one image archive the node imports.
type builtImage struct {
	Ref     string           `json:"ref"`
	Digests ociimage.Digests `json:"digests"`
	Origin  []string         `json:"origin"` // module@version or Debian package=version of what it holds
	Archive string           `json:"-"`
}

// imageSpec says what one image holds.
type imageSpec struct {
	ref    string
	binary string // host path
	path   string // in the image
	tools  bool   // add the Debian tools layer (iptables, conntrack, iproute2, busybox) below
	helper bool   // the image is the busybox layer alone (local-path helper)
	origin []string
	cfg    ociimage.Config
}

// images builds the images kubeadm, kind's manifests and the CNI need, under exactly the
// names they ask for.
func (b *builder) images(ctx context.Context, dirs map[string]string, pause, cni, rootfs string) ([]builtImage, error) {
	v := b.versions
	kubeOrigin := []string{"k8s.io/kubernetes@" + v.Kubernetes}
	var specs []imageSpec
	for _, n := range []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy"} {
		specs = append(specs, imageSpec{ref: "registry.k8s.io/" + n + ":" + v.Kubernetes, binary: filepath.Join(dirs["kubernetes"], n),
			path: "/usr/local/bin/" + n, tools: n == "kube-proxy", origin: kubeOrigin})
	}
	cniSum, err := fileHash(cni)
	if err != nil {
		return nil, err
	}
	specs = append(specs,
		imageSpec{ref: "registry.k8s.io/etcd:" + v.EtcdImageTag, binary: filepath.Join(dirs["etcd"], "etcd"), path: "/usr/local/bin/etcd",
			origin: []string{"go.etcd.io/etcd/server/v3@" + v.Etcd}},
		imageSpec{ref: "registry.k8s.io/coredns/coredns:" + v.CoreDNS, binary: filepath.Join(dirs["coredns"], "coredns"), path: "/coredns",
			origin: []string{"github.com/coredns/coredns@" + v.CoreDNS}},
		imageSpec{ref: "registry.k8s.io/pause:" + v.Pause, binary: pause, path: "/pause",
			origin: []string{"k8s.io/kubernetes@" + v.Kubernetes + "/build/pause (gcc -static)"}},
		imageSpec{ref: localPathImage + ":" + v.LocalPathProvisioner, binary: filepath.Join(dirs["local-path-provisioner"], "local-path-provisioner"),
			path: "/usr/local/bin/local-path-provisioner", origin: []string{"github.com/rancher/local-path-provisioner@" + v.LocalPathProvisioner}},
		imageSpec{ref: helperImage + ":" + v.DebianSuite, helper: true},
		imageSpec{ref: cniImage + ":" + cniSum[:12], binary: cni, path: "/usr/local/bin/meshlab-cni", tools: true,
			origin: []string{"github.com/meshlab/meshlab/cmd/meshlab-cni"}},
	)
	st, err := readStatus(rootfs)
	if err != nil {
		return nil, err
	}
	dir, err := b.cacheDirFor("images")
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(dir, "layers-")
	if err != nil {
		return nil, fmt.Errorf("creating layers: %w", err)
	}
	defer os.RemoveAll(tmp) // the layers' tar files, read while the archives are written
	tools, toolsOrigin, err := toolsLayer(rootfs, st, tmp, toolsPackages...)
	if err != nil {
		return nil, err
	}
	busybox, busyboxOrigin, err := toolsLayer(rootfs, st, tmp, "busybox-static")
	if err != nil {
		return nil, err
	}
	var out []builtImage
	for _, s := range specs {
		var layers []v1.Layer
		origin := s.origin
		switch {
		case s.helper:
			layers, origin = []v1.Layer{busybox}, busyboxOrigin
		case s.tools:
			layers, origin = []v1.Layer{tools}, append(append([]string{}, origin...), toolsOrigin...)
		}
		if s.binary != "" {
			l, err := ociimage.Layer([]ociimage.File{{Path: s.path, Source: s.binary, Mode: 0o755}}, tmp)
			if err != nil {
				return nil, err
			}
			layers = append(layers, l)
			if len(s.cfg.Entrypoint) == 0 {
				s.cfg.Entrypoint = []string{s.path}
			}
		}
		img, err := b.writeImage(s.ref, s.cfg, dir, layers)
		if err != nil {
			return nil, err
		}
		img.Origin = origin
		out = append(out, img)
	}
	b.log.Info("images ready", "count", len(out), "dir", dir)
	return out, nil
}

// writeImage writes the archive under a name made of the image digest, once.
func (b *builder) writeImage(ref string, cfg ociimage.Config, dir string, layers []v1.Layer) (builtImage, error) {
	img, err := ociimage.Image(cfg, layers...)
	if err != nil {
		return builtImage{}, fmt.Errorf("image %s: %w", ref, err)
	}
	d, err := ociimage.DigestsOf(img)
	if err != nil {
		return builtImage{}, fmt.Errorf("image %s: %w", ref, err)
	}
	safe := strings.NewReplacer("/", "_", ":", "_").Replace(ref)
	archive := filepath.Join(dir, safe+"-"+strings.TrimPrefix(d.Manifest, "sha256:")[:12]+".tar")
	if _, err := os.Stat(archive); err != nil {
		if err := ociimage.WriteArchive(archive, ref, img); err != nil {
			return builtImage{}, err
		}
	}
	return builtImage{Ref: ref, Digests: d, Archive: archive}, nil
}

// toolsPackages are the Debian packages (with their dependencies) of kube-proxy's and
// meshlab-cni's userland layer: iptables (legacy and nft backends) and nft for kube-proxy's
// iptables and nftables modes, conntrack, iproute2, and busybox for the iptables wrapper.
var toolsPackages = []string{"iptables", "nftables", "conntrack", "iproute2", "busybox-static"}

// Image names of the node's own add-ons (kubeadm's images keep registry.k8s.io's names).
const (
	localPathImage = "docker.io/meshlab/local-path-provisioner"
	helperImage    = "docker.io/meshlab/local-path-helper"
	cniImage       = "docker.io/meshlab/cni"
)
