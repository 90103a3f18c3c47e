package ociimage

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fakeBinary(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "meshd")
	require.NoError(t, os.WriteFile(p, []byte("\x7fELF not really a binary"), 0o755))
	return p
}

// TestStaticReadBack packs a binary, writes the archive and reads it back as `docker load`
// would: one layer, the binary at its path, the entrypoint, the architecture.
func TestStaticReadBack(t *testing.T) {
	t.Parallel()
	bin := fakeBinary(t)
	img, err := Static(bin, "/usr/local/bin/meshd", Config{Cmd: []string{"service"}})
	require.NoError(t, err)
	archive := filepath.Join(t.TempDir(), "meshd.tar")
	require.NoError(t, WriteArchive(archive, "meshlab/meshd:test", img))

	tag, err := name.NewTag("meshlab/meshd:test")
	require.NoError(t, err)
	back, err := tarball.ImageFromPath(archive, &tag)
	require.NoError(t, err)
	layers, err := back.Layers()
	require.NoError(t, err)
	require.Len(t, layers, 1)
	cf, err := back.ConfigFile()
	require.NoError(t, err)
	assert.Equal(t, []string{"/usr/local/bin/meshd"}, cf.Config.Entrypoint)
	assert.Equal(t, []string{"service"}, cf.Config.Cmd)
	assert.Equal(t, runtime.GOARCH, cf.Architecture)
	assert.Equal(t, "linux", cf.OS)
	assert.Contains(t, cf.Config.Env, DefaultPath)

	rc, err := layers[0].Uncompressed()
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
		if h.Name == "usr/local/bin/meshd" {
			data, err := io.ReadAll(tr)
			require.NoError(t, err)
			assert.Equal(t, "\x7fELF not really a binary", string(data))
		}
	}
	require.Contains(t, entries, "usr/local/bin/meshd")
	assert.Equal(t, int64(0o755), entries["usr/local/bin/meshd"].Mode)
	assert.Equal(t, 0, entries["usr/local/bin/meshd"].Uid)
	assert.Contains(t, entries, "usr/local/bin/")
	assert.Contains(t, entries, "usr/")

	want, err := DigestsOf(img)
	require.NoError(t, err)
	got, err := DigestsOf(back)
	require.NoError(t, err)
	assert.Equal(t, want, got, "the archive holds the image as built")
}

// TestDigestStable: the same files give the same digests, build after build; other bytes do not.
func TestDigestStable(t *testing.T) {
	t.Parallel()
	bin := fakeBinary(t)
	digest := func(src string) Digests {
		img, err := Static(src, "/meshd", Config{})
		require.NoError(t, err)
		d, err := DigestsOf(img)
		require.NoError(t, err)
		return d
	}
	first := digest(bin)
	copyBin := filepath.Join(t.TempDir(), "other-name")
	data, _ := os.ReadFile(bin)
	require.NoError(t, os.WriteFile(copyBin, data, 0o755))
	assert.Equal(t, first, digest(copyBin), "same bytes, other file: same digest")
	require.NoError(t, os.WriteFile(copyBin, append(data, '!'), 0o755))
	assert.NotEqual(t, first.Manifest, digest(copyBin).Manifest)
}

func TestLayerSymlinksAndData(t *testing.T) {
	t.Parallel()
	layer, err := Layer([]File{
		{Path: "/bin/sh", Link: "busybox"},
		{Path: "/bin/busybox", Data: []byte("bb"), Mode: 0o755},
		{Path: "/etc/motd", Data: []byte("hi")},
	}, t.TempDir())
	require.NoError(t, err)
	rc, err := layer.Uncompressed()
	require.NoError(t, err)
	defer rc.Close()
	tr := tar.NewReader(rc)
	var order []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		order = append(order, h.Name)
		if h.Name == "bin/sh" {
			assert.Equal(t, byte(tar.TypeSymlink), h.Typeflag)
			assert.Equal(t, "busybox", h.Linkname)
		}
		if h.Name == "etc/motd" {
			assert.Equal(t, int64(0o644), h.Mode)
		}
	}
	assert.Equal(t, []string{"bin/", "bin/busybox", "bin/sh", "etc/", "etc/motd"}, order)
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	_, err := Layer([]File{{Path: "relative/path", Data: []byte("x")}}, t.TempDir())
	assert.ErrorContains(t, err, "must be absolute")
	_, err = Static(filepath.Join(t.TempDir(), "missing"), "/x", Config{})
	assert.ErrorContains(t, err, "adding /x")
	img, err := Static(fakeBinary(t), "/x", Config{})
	require.NoError(t, err)
	assert.ErrorContains(t, WriteArchive(filepath.Join(t.TempDir(), "a.tar"), "Bad Name!", img), "image name")
}
