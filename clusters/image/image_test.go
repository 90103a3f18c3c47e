package image

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// binaries writes two stand-in executables.
func binaries(t *testing.T, content string) (string, string) {
	dir := t.TempDir()
	meshd, meshcp := filepath.Join(dir, "meshd"), filepath.Join(dir, "meshcp")
	require.NoError(t, os.WriteFile(meshd, []byte("meshd "+content), 0o755))
	require.NoError(t, os.WriteFile(meshcp, []byte("meshcp "+content), 0o755))
	return meshd, meshcp
}

func TestMeshImageIsReproducible(t *testing.T) {
	t.Parallel()
	a, err := Mesh(binaries(t, "v1"))
	require.NoError(t, err)
	b, err := Mesh(binaries(t, "v1"))
	require.NoError(t, err)
	c, err := Mesh(binaries(t, "v2"))
	require.NoError(t, err)
	ta, err := Tag(Repository, a)
	require.NoError(t, err)
	tb, _ := Tag(Repository, b)
	tc, _ := Tag(Repository, c)
	assert.Equal(t, ta, tb, "the same binaries, elsewhere and later: the same digest")
	assert.NotEqual(t, ta, tc, "other binaries: another tag")
	assert.True(t, strings.HasPrefix(ta, Repository+":"))
	assert.Len(t, strings.TrimPrefix(ta, Repository+":"), TagLength)

	layers, err := a.Layers()
	require.NoError(t, err)
	assert.Len(t, layers, 1)
	cf, err := a.ConfigFile()
	require.NoError(t, err)
	assert.Equal(t, []string{MeshdPath}, cf.Config.Entrypoint)
	assert.Equal(t, "linux", cf.OS)

	_, err = Mesh("/nonexistent/meshd", "/nonexistent/meshcp")
	assert.ErrorContains(t, err, "make build")
}

// TestPushToARegistry pushes to go-containerregistry's in-process registry and reads it back.
func TestPushToARegistry(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	img, err := Mesh(binaries(t, "v1"))
	require.NoError(t, err)

	ref, err := Push(context.Background(), host+"/meshlab/meshd", img)
	require.NoError(t, err)
	want, _ := Tag(host+"/meshlab/meshd", img)
	assert.Equal(t, want, ref, "a repository without a tag gets the digest-derived one")

	r, err := name.ParseReference(ref)
	require.NoError(t, err)
	got, err := remote.Image(r)
	require.NoError(t, err)
	gd, _ := got.Digest()
	wd, _ := img.Digest()
	assert.Equal(t, wd, gd, "the registry serves the same image")

	named, err := Push(context.Background(), host+"/meshlab/meshd:mine", img)
	require.NoError(t, err)
	assert.Equal(t, host+"/meshlab/meshd:mine", named, "an explicit tag is kept")
	_, err = Push(context.Background(), "Not A Ref", img)
	assert.Error(t, err)
}
