package nodeimage

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// parts is everything the node image is assembled from.
type parts struct {
	bins   map[string]string // name → host path of every binary the node gets
	images []builtImage      // image archives the node's containerd imports
	rootfs string            // the debootstrapped rootfs directory
	record Record
}

// meshlabBinaries builds this module's binaries the node image holds (warm: a second or two).
func (b *builder) meshlabBinaries(ctx context.Context) (map[string]string, error) {
	out := filepath.Join(b.cache, "meshlab-bin")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", out, err)
	}
	log := filepath.Join(b.cache, "meshlab-bin.log")
	_ = os.Remove(log) // one build's output
	b.log.Info("building", "build", "meshlab-runc meshlab-cni", "log", log)
	if err := b.run(ctx, b.repo, log, []string{"CGO_ENABLED=0"}, b.goCmd,
		"build", "-trimpath", "-ldflags", "-s -w", "-o", out+"/", "./cmd/meshlab-runc", "./cmd/meshlab-cni"); err != nil {
		return nil, fmt.Errorf("building meshlab-runc and meshlab-cni: %w", err)
	}
	return map[string]string{"meshlab-runc": filepath.Join(out, "meshlab-runc"), "meshlab-cni": filepath.Join(out, "meshlab-cni")}, nil
}

// buildParts builds (or finds in the cache) every binary, the rootfs and every image.
func (b *builder) buildParts(ctx context.Context, own map[string]string) (*parts, error) {
	p := &parts{bins: map[string]string{}}
	// debootstrap waits on the network and dpkg, the Go builds on the CPU: run them side by side.
	type rootfsResult struct {
		dir string
		err error
	}
	rootfsDone := make(chan rootfsResult, 1)
	dctx, cancel := context.WithCancel(ctx)
	go func() {
		dir, err := b.debootstrap(dctx)
		rootfsDone <- rootfsResult{dir, err}
	}()
	defer func() { cancel(); <-rootfsDone }() // never leave debootstrap running behind an error
	kube, err := kubernetesBuild(b.versions, b.kubeDir)
	if err != nil {
		return nil, err
	}
	dirs := map[string]string{}
	for _, g := range append([]goBuild{kube}, addonBuilds(b.versions)...) {
		dir, err := b.build(ctx, g)
		if err != nil {
			return nil, err
		}
		dirs[g.Name] = dir
	}
	pause, err := b.buildPause(ctx)
	if err != nil {
		return nil, err
	}
	for _, n := range []string{"kubelet", "kubeadm", "kubectl"} {
		p.bins[n] = filepath.Join(dirs["kubernetes"], n)
	}
	p.bins["crictl"] = filepath.Join(dirs["crictl"], "crictl")
	for _, n := range []string{"ptp", "bridge", "loopback", "host-local", "portmap"} {
		p.bins[n] = filepath.Join(dirs["cni-plugins"], n)
	}
	p.bins["meshlab-runc"] = own["meshlab-runc"]
	r := <-rootfsDone
	rootfsDone <- r // for the deferred receive
	if p.rootfs, err = r.dir, r.err; err != nil {
		return nil, err
	}
	if p.images, err = b.images(ctx, dirs, pause, own["meshlab-cni"], p.rootfs); err != nil {
		return nil, err
	}
	if p.record, err = b.newRecord(p); err != nil {
		return nil, err
	}
	return p, nil
}

// buildPause compiles Kubernetes' pause (C, static, as build/pause/Makefile does).
func (b *builder) buildPause(ctx context.Context) (string, error) {
	src := filepath.Join(b.kubeDir, "build", "pause", "linux", "pause.c")
	sum, err := fileHash(src)
	if err != nil {
		return "", err
	}
	cc, err := exec.CommandContext(ctx, "gcc", "--version").Output()
	if err != nil {
		return "", fmt.Errorf("gcc is needed to build pause: %w", err)
	}
	dir := filepath.Join(b.cache, "pause-"+hashOf(sum, string(cc), b.versions.Pause)[:16])
	out := filepath.Join(dir, "pause")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	if err := b.run(ctx, dir, filepath.Join(dir, "build.log"), nil, "gcc", "-Os", "-Wall", "-Werror", "-static",
		"-DVERSION=v"+b.versions.Pause, "-o", out+".tmp", src); err != nil {
		return "", fmt.Errorf("building pause: %w", err)
	}
	return out, os.Rename(out+".tmp", out)
}

// cacheDirFor returns a cache subdirectory, created.
func (b *builder) cacheDirFor(parts ...string) (string, error) {
	dir := filepath.Join(append([]string{b.cache}, parts...)...)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	return dir, nil
}

func trimV(v string) string { return strings.TrimPrefix(v, "v") }
