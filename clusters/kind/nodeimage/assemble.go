package nodeimage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/meshlab/meshlab/clusters/kind/ociimage"
)

// nodeScript is kind's base Dockerfile's RUN steps (its STOPSIGNAL SIGRTMIN+3 is left out: Docker
// 20.10's commit cannot set it, and kind removes nodes with SIGKILL), then the image import of kind's node
// build (containerd started by hand, `ctr images import` of every archive, containerd stopped).
const nodeScript = `set -eu
chmod 755 /kind /kind/bin
find /lib/systemd/system/sysinit.target.wants/ -name "systemd-tmpfiles-setup.service" -delete
rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \
  /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \
  /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/*
echo "ReadKMsg=no" >> /etc/systemd/journald.conf
ln -sf /usr/lib/systemd/systemd /sbin/init
systemctl enable kubelet.service containerd.service undo-mount-hacks.service 2>/dev/null
systemctl mask systemd-binfmt.service 2>/dev/null
mkdir -p /etc/kubernetes/manifests
ln -sf /usr/bin/containerd /usr/local/bin/containerd
ctr oci spec \
  | jq '.hooks.createContainer[.hooks.createContainer| length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' \
  | jq 'del(.process.rlimits)' > /etc/containerd/cri-base.json
rm -rf /var/lib/apt/lists/*
containerd > /var/log/meshlab-image-import.log 2>&1 &
cpid=$!
i=0; until ctr version >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 100 ] || { echo "containerd did not start" >&2; exit 1; }; sleep 0.2; done
for f in /kind/images/*.tar; do
  ctr --namespace=k8s.io images import --label=io.cri-containerd.pinned=pinned --all-platforms --no-unpack --digests "$f" >/dev/null
done
ctr --namespace=k8s.io images list -q | grep -v "^sha256:"
kill $cpid; wait $cpid || true
rm -rf /kind/images /var/log/meshlab-image-import.log
`

// assemble runs a build container from the rootfs image, copies everything in, runs
// nodeScript, and commits it as tag with kind's entrypoint.
func (b *builder) assemble(ctx context.Context, tag string, p *parts) error {
	start := time.Now()
	rootfs, err := b.rootfsImage(ctx, p.rootfs)
	if err != nil {
		return err
	}
	files, err := b.nodeFiles(p, tag)
	if err != nil {
		return err
	}
	id := make([]byte, 4)
	_, _ = rand.Read(id)
	name := "meshlab-kind-build-" + hex.EncodeToString(id)
	// A context that outlives an interrupt, so the container is removed whatever happened.
	defer func() {
		_ = exec.Command("docker", "rm", "-f", "-v", name).Run()
	}()
	if _, err := b.docker(ctx, nil, "run", "-d", "--name", name, "--entrypoint", "sleep", "--security-opt", "seccomp=unconfined",
		"--privileged", rootfs, "infinity"); err != nil {
		return fmt.Errorf("starting build container: %w", err)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(ociimage.WriteTar(pw, files)) }()
	if _, err := b.docker(ctx, pr, "cp", "-", name+":/"); err != nil {
		return fmt.Errorf("copying into build container: %w", err)
	}
	out, err := b.docker(ctx, nil, "exec", name, "sh", "-c", nodeScript)
	if err != nil {
		return fmt.Errorf("preparing node: %w", err)
	}
	var imported []string
	for _, ref := range strings.Fields(out) {
		if strings.HasPrefix(ref, "docker.io/") || strings.HasPrefix(ref, "registry.k8s.io/") {
			imported = append(imported, ref)
		}
	}
	b.log.Info("images imported", "images", imported)
	if _, err := b.docker(ctx, nil, "commit",
		"--change", `ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]`, "--change", "CMD []",
		"--change", "ENV container=docker", name, tag); err != nil {
		return fmt.Errorf("committing node image: %w", err)
	}
	b.log.Info("assembled", "image", tag, "took", time.Since(start).Round(time.Second))
	return nil
}

// docker runs the docker CLI; its output is returned, or carried by the error.
func (b *builder) docker(ctx context.Context, stdin io.Reader, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "docker", args...)
	var out bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &out, &out
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("docker %s: %w: %s", args[0], err, lastLines(out.String(), 10))
	}
	return out.String(), nil
}

// nodeFiles is everything copied into the build container: binaries, kind's base files (from
// the kind module, containerd's config patched), manifests, image archives, the record.
func (b *builder) nodeFiles(p *parts, tag string) ([]ociimage.File, error) {
	var files []ociimage.File
	for name, src := range p.bins {
		files = append(files, ociimage.File{Path: nodePaths[name], Source: src, Mode: 0o755})
	}
	base, err := kindBaseFiles(b.kindDir)
	if err != nil {
		return nil, err
	}
	files = append(files, base...)
	storage, err := storageManifest(b.kindDir, localPathImage+":"+b.versions.LocalPathProvisioner, helperImage+":"+b.versions.DebianSuite)
	if err != nil {
		return nil, err
	}
	cni := ""
	for _, img := range p.images {
		files = append(files, ociimage.File{Path: "/kind/images/" + filepath.Base(img.Archive), Source: img.Archive})
		if strings.HasPrefix(img.Ref, cniImage+":") {
			cni = img.Ref
		}
	}
	rec := p.record
	rec.Image = tag
	raw, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding build record: %w", err)
	}
	files = append(files,
		ociimage.File{Path: "/kind/version", Data: []byte(b.versions.Kubernetes)},
		ociimage.File{Path: "/kind/manifests/default-cni.yaml", Data: []byte(strings.ReplaceAll(cniManifest, "{{ .Image }}", cni))},
		ociimage.File{Path: "/kind/manifests/default-storage.yaml", Data: []byte(storage)},
		ociimage.File{Path: RecordPath, Data: append(raw, '\n')},
	)
	return files, nil
}

// readFile is os.ReadFile with the path in the error.
func readFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return raw, nil
}
