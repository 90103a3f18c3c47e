// Package nodeimage builds a kind node image offline: every binary from its Go module (through
// the module proxy) or its Debian package, every image packed with go-containerregistry, and no
// registry asked for anything.
//
// It reproduces kind's own node-image build (sigs.k8s.io/kind/pkg/build/nodeimage), which
// fetches etcd, CoreDNS, pause, kindnetd and local-path-provisioner from registries and so
// cannot run offline:
//
//	debootstrap (Debian bookworm, kind's base packages) ──▶ base rootfs ──docker import──▶ base image
//	go build (k8s.io/kubernetes, etcd, CoreDNS, crictl, CNI plugins, local-path-provisioner,
//	          meshlab-runc, meshlab-cni) + gcc (pause) ──▶ binaries ──ociimage──▶ image archives
//	docker run base ─ copy binaries and kind's files in ─ ctr images import ─ docker commit ──▶
//	    meshlab/kind-node:<kubernetes version>-<hash of inputs>
//
// Every output is cached under the user's cache directory, keyed by its inputs, so a warm
// build takes seconds; /kind/meshlab-build.json in the image records each binary's origin
// (module@version or Debian package=version) and each image's digest.
package nodeimage
