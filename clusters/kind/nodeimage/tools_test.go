package nodeimage

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeRootfs is a merged-/usr rootfs with iptables (one dependency) and busybox installed.
func fakeRootfs(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	write := func(p, data string, mode os.FileMode) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, p), []byte(data), mode))
	}
	for _, d := range []string{"bin", "sbin", "lib"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, "usr", d), 0o755))
		require.NoError(t, os.Symlink("usr/"+d, filepath.Join(root, d)))
	}
	write("var/lib/dpkg/status", `Package: iptables
Status: install ok installed
Architecture: amd64
Version: 1.8.9-2
Depends: libxtables12

Package: libxtables12
Status: install ok installed
Architecture: amd64
Version: 1.8.9-2

Package: busybox-static
Status: install ok installed
Architecture: amd64
Version: 1:1.35.0-4
`, 0o644)
	write("var/lib/dpkg/info/iptables.list", "/.\n/usr\n/usr/sbin\n/usr/sbin/xtables-nft-multi\n/usr/sbin/iptables-nft\n/usr/sbin/iptables-legacy\n", 0o644)
	write("var/lib/dpkg/info/libxtables12:amd64.list", "/.\n/lib/x86_64-linux-gnu/libxtables.so.12\n", 0o644)
	write("var/lib/dpkg/info/busybox-static.list", "/.\n/bin/busybox\n", 0o644)
	write("usr/sbin/xtables-nft-multi", "elf", 0o755)
	require.NoError(t, os.Symlink("xtables-nft-multi", filepath.Join(root, "usr/sbin/iptables-nft")))
	require.NoError(t, os.Symlink("xtables-legacy-multi", filepath.Join(root, "usr/sbin/iptables-legacy")))
	write("usr/lib/x86_64-linux-gnu/libxtables.so.12", "lib", 0o644)
	write("usr/bin/busybox", "#!/bin/sh\necho sh grep ln iptables\n", 0o755) // answers --list
	return root
}

func TestToolsLayer(t *testing.T) {
	t.Parallel()
	root := fakeRootfs(t)
	st, err := readStatus(root)
	require.NoError(t, err)
	layer, origin, err := toolsLayer(root, st, t.TempDir(), "iptables", "busybox-static")
	require.NoError(t, err)
	assert.Equal(t, []string{"busybox-static=1:1.35.0-4", "iptables=1.8.9-2", "libxtables12=1.8.9-2"}, origin)

	rc, err := layer.Uncompressed()
	require.NoError(t, err)
	defer rc.Close()
	entries := map[string]*tar.Header{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		entries[h.Name] = h
	}
	// files where they sit in a merged-/usr rootfs, and the top-level links
	assert.Equal(t, int64(0o755), entries["usr/sbin/xtables-nft-multi"].Mode)
	assert.Contains(t, entries, "usr/lib/x86_64-linux-gnu/libxtables.so.12")
	assert.Equal(t, "usr/bin", entries["bin"].Linkname)
	assert.Equal(t, "xtables-nft-multi", entries["usr/sbin/iptables-nft"].Linkname)
	// the commands kube-proxy runs go through the wrapper, not through busybox
	for _, c := range iptablesCommands {
		assert.Equal(t, "iptables-wrapper", entries["usr/sbin/"+c].Linkname, c)
	}
	assert.Contains(t, entries, "usr/sbin/iptables-wrapper")
	assert.Equal(t, "busybox", entries["usr/bin/sh"].Linkname)
	assert.Equal(t, "busybox", entries["usr/bin/grep"].Linkname)
	assert.NotContains(t, entries, "usr/bin/iptables", "an applet never shadows a package's command")

	_, _, err = toolsLayer(root, st, t.TempDir(), "nftables")
	assert.ErrorContains(t, err, "nftables is not installed")
}
