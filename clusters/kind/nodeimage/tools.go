package nodeimage

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/meshlab/meshlab/clusters/kind/ociimage"
)

// mergedUsr are the top-level directories a bookworm rootfs links into /usr.
var mergedUsr = []string{"bin", "sbin", "lib", "lib64"}

// iptablesCommands are what kube-proxy and meshlab-cni run; the wrapper links them to the
// mode the node uses.
var iptablesCommands = []string{"iptables", "iptables-save", "iptables-restore", "ip6tables", "ip6tables-save", "ip6tables-restore"}

// iptablesWrapper picks iptables-legacy or iptables-nft as kind's entrypoint does for the node
// (select_iptables: the mode with more rules, legacy on a tie), relinks the commands to it and
// runs the command it was called as.
const iptablesWrapper = `#!/bin/sh
# meshlab: picks the iptables mode the node uses, as kind's entrypoint (select_iptables) does.
set -e
legacy=$( (iptables-legacy-save || true; ip6tables-legacy-save || true) 2>/dev/null | grep -c '^-' || true)
nft=$( (timeout 5 sh -c "iptables-nft-save; ip6tables-nft-save" || true) 2>/dev/null | grep -c '^-' || true)
if [ "$legacy" -ge "$nft" ]; then mode=legacy; else mode=nft; fi
for cmd in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
  ln -sf "xtables-$mode-multi" "/usr/sbin/$cmd"
done
exec "$0" "$@"
`

func readStatus(rootfs string) (dpkgStatus, error) {
	f, err := os.Open(filepath.Join(rootfs, "var/lib/dpkg/status"))
	if err != nil {
		return nil, fmt.Errorf("reading rootfs packages: %w", err)
	}
	defer f.Close()
	return parseDpkgStatus(f)
}

// toolsLayer is one layer of the files of roots and their dependencies, copied from the
// rootfs where they sit (merged /usr kept), with busybox's applets linked where no package
// file is, and the iptables wrapper. origin lists package=version.
func toolsLayer(rootfs string, st dpkgStatus, dir string, roots ...string) (v1.Layer, []string, error) {
	pkgs, err := st.closure(roots...)
	if err != nil {
		return nil, nil, err
	}
	files := map[string]ociimage.File{}
	var origin []string
	for _, name := range pkgs {
		origin = append(origin, name+"="+st[name].Version)
		list, err := packageFiles(rootfs, st[name])
		if err != nil {
			return nil, nil, err
		}
		for _, p := range list {
			f, err := rootfsFile(rootfs, p)
			if err != nil {
				return nil, nil, err
			}
			files[f.Path] = f
		}
	}
	for _, d := range mergedUsr {
		if target, err := os.Readlink(filepath.Join(rootfs, d)); err == nil {
			files["/"+d] = ociimage.File{Path: "/" + d, Link: target}
		}
	}
	if _, ok := files["/usr/sbin/xtables-nft-multi"]; ok {
		files["/usr/sbin/iptables-wrapper"] = ociimage.File{Path: "/usr/sbin/iptables-wrapper", Data: []byte(iptablesWrapper), Mode: 0o755}
		for _, c := range iptablesCommands {
			files["/usr/sbin/"+c] = ociimage.File{Path: "/usr/sbin/" + c, Link: "iptables-wrapper"}
		}
	}
	if p, ok := files["/usr/bin/busybox"]; ok {
		if err := addApplets(files, p.Source); err != nil {
			return nil, nil, err
		}
	}
	list := make([]ociimage.File, 0, len(files))
	for _, k := range sortedKeys(files) {
		list = append(list, files[k])
	}
	l, err := ociimage.Layer(list, dir)
	return l, origin, err
}

// rootfsFile maps a package's path to where it is in a merged-/usr rootfs.
func rootfsFile(rootfs, p string) (ociimage.File, error) {
	for _, d := range mergedUsr {
		if rest, ok := strings.CutPrefix(p, "/"+d+"/"); ok {
			if _, err := os.Readlink(filepath.Join(rootfs, d)); err == nil {
				p = "/usr/" + d + "/" + rest
			}
		}
	}
	host := filepath.Join(rootfs, p)
	st, err := os.Lstat(host)
	if err != nil {
		return ociimage.File{}, fmt.Errorf("reading %s: %w", p, err)
	}
	if st.Mode()&os.ModeSymlink != 0 {
		target, err := os.Readlink(host)
		return ociimage.File{Path: p, Link: target}, err
	}
	return ociimage.File{Path: p, Source: host, Mode: int64(st.Mode().Perm())}, nil
}

// addApplets links each busybox applet in /usr/bin where no package put a file.
func addApplets(files map[string]ociimage.File, busybox string) error {
	out, err := exec.Command(busybox, "--list").Output()
	if err != nil {
		return fmt.Errorf("listing busybox applets: %w", err)
	}
	for _, a := range strings.Fields(string(out)) {
		p := "/usr/bin/" + a
		_, inBin := files[p]
		_, inSbin := files["/usr/sbin/"+a]
		if !inBin && !inSbin {
			files[p] = ociimage.File{Path: p, Link: "busybox"}
		}
	}
	return nil
}
