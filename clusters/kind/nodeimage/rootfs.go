package nodeimage

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// basePackages are what kind's base image installs (images/base/Dockerfile), less nfs-common
// and open-iscsi (storage drivers this project does not use), plus systemd-sysv and dbus for
// systemd as PID 1, Debian's containerd and runc (1.6.20 and 1.1.5 in bookworm: the kubelet
// of v1.34 runs against containerd 1.6, warning only that it lacks the RuntimeConfig call), and
// busybox-static for the local-path helper image and the iptables wrapper.
var basePackages = []string{
	"systemd", "systemd-sysv", "dbus",
	"conntrack", "iptables", "nftables", "iproute2", "ethtool", "util-linux", "mount", "kmod",
	"libseccomp2", "pigz", "fuse-overlayfs", "e2fsprogs", "bash", "ca-certificates", "curl", "jq", "procps",
	"containerd", "runc", "busybox-static",
}

// debootstrap returns a Debian rootfs directory with basePackages, made once per inputs.
func (b *builder) debootstrap(ctx context.Context) (string, error) {
	key := hashOf(rootfsRecipe, b.versions.DebianSuite, strings.Join(basePackages, ","))[:16]
	dir := filepath.Join(b.cache, "rootfs", b.versions.DebianSuite+"-"+key)
	if _, err := os.Stat(filepath.Join(dir, "var/lib/dpkg/status")); err == nil {
		b.log.Info("cached", "rootfs", dir)
		return dir, nil
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		return "", fmt.Errorf("debootstrap is needed for the node's rootfs (apt-get install debootstrap): %w", err)
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return "", fmt.Errorf("removing %s: %w", tmp, err)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	start := time.Now()
	log := dir + ".log"
	b.log.Info("debootstrap", "suite", b.versions.DebianSuite, "packages", len(basePackages), "log", log)
	if err := b.run(ctx, b.cache, log, nil, "debootstrap", "--variant=minbase",
		"--include="+strings.Join(basePackages, ","), b.versions.DebianSuite, tmp, b.mirror); err != nil {
		return "", fmt.Errorf("debootstrap: %w", err)
	}
	// the .deb files debootstrap leaves behind are not part of the rootfs
	debs, _ := filepath.Glob(filepath.Join(tmp, "var/cache/apt/archives/*.deb"))
	for _, d := range debs {
		os.Remove(d)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("debootstrap: %w", err)
	}
	b.log.Info("debootstrapped", "took", time.Since(start).Round(time.Second))
	return dir, nil
}

// rootfsImage imports the rootfs as a Docker image (once per rootfs) and returns its name.
func (b *builder) rootfsImage(ctx context.Context, rootfs string) (string, error) {
	name := "meshlab/kind-rootfs:" + filepath.Base(rootfs)
	if b.imageExists(ctx, name) {
		return name, nil
	}
	start := time.Now()
	tar := exec.CommandContext(ctx, "tar", "-C", rootfs, "--numeric-owner", "--xattrs", "-c", ".")
	imp := exec.CommandContext(ctx, "docker", "import", "-", name)
	pipe, err := tar.StdoutPipe()
	if err != nil {
		return "", fmt.Errorf("importing rootfs: %w", err)
	}
	imp.Stdin = pipe
	var out strings.Builder
	imp.Stdout, imp.Stderr, tar.Stderr = &out, &out, &out
	if err := tar.Start(); err != nil {
		return "", fmt.Errorf("importing rootfs: %w", err)
	}
	ierr := imp.Run()
	terr := tar.Wait()
	if ierr != nil || terr != nil {
		return "", fmt.Errorf("importing rootfs: %v %v: %s", ierr, terr, out.String())
	}
	b.log.Info("imported rootfs", "image", name, "took", time.Since(start).Round(time.Second))
	return name, nil
}

func (b *builder) imageExists(ctx context.Context, name string) bool {
	return exec.CommandContext(ctx, "docker", "image", "inspect", name).Run() == nil
}
