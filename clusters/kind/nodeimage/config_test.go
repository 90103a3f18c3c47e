package nodeimage

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// moduleDir finds a module of this repository's go.mod in the module cache (no network when
// it is there already, as after `go mod download`).
func moduleDir(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", path).Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("%s is not in the module cache: %v", path, err)
	}
	return dir
}

func TestPatchContainerdConfigOfKind(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(moduleDir(t, "sigs.k8s.io/kind"), "images/base/files/etc/containerd/config.toml"))
	require.NoError(t, err)
	cfg, err := patchContainerdConfig(string(raw), "3.10.1")
	require.NoError(t, err)
	assert.Contains(t, cfg, `sandbox_image = "registry.k8s.io/pause:3.10.1"`)
	assert.NotContains(t, cfg, `pause:3.10"`)
	// runc and kind's test-handler both run through the wrapper
	assert.Equal(t, 2, strings.Count(cfg, `BinaryName = "/usr/local/sbin/meshlab-runc"`))
	assert.Contains(t, cfg, "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n    BinaryName")
	assert.Contains(t, cfg, "SystemdCgroup = true", "the rest is kind's")

	_, err = patchContainerdConfig("version = 2\n", "3.10.1")
	assert.ErrorContains(t, err, "sandbox_image")
}

func TestStorageManifestFromKind(t *testing.T) {
	t.Parallel()
	m, err := storageManifest(moduleDir(t, "sigs.k8s.io/kind"), "docker.io/meshlab/local-path-provisioner:v0.0.30", "docker.io/meshlab/local-path-helper:bookworm")
	require.NoError(t, err)
	assert.Contains(t, m, "image: docker.io/meshlab/local-path-provisioner:v0.0.30")
	assert.Equal(t, 2, strings.Count(m, "docker.io/meshlab/local-path-helper:bookworm"), "--helper-image and the helper pod")
	assert.Contains(t, m, "provisioner: rancher.io/local-path")
	assert.NotContains(t, m, "kindest/")

	_, err = storageManifest(t.TempDir(), "a", "b")
	assert.ErrorContains(t, err, "const_storage.go")
}

func TestKindBaseFiles(t *testing.T) {
	t.Parallel()
	files, err := kindBaseFiles(moduleDir(t, "sigs.k8s.io/kind"))
	require.NoError(t, err)
	modes := map[string]int64{}
	for _, f := range files {
		modes[f.Path] = f.Mode
	}
	assert.Equal(t, int64(0o755), modes["/usr/local/bin/entrypoint"])
	assert.Equal(t, int64(0o755), modes["/kind/bin/mount-product-files.sh"])
	assert.Equal(t, int64(0o644), modes["/etc/systemd/system/kubelet.service"])
	assert.Contains(t, modes, "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf")
	assert.Contains(t, modes, "/etc/containerd/config.toml")
	assert.Contains(t, modes, "/LICENSES/kind-LICENSE")
}

func TestKubernetesBuildStampsVersions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	goMod := "module k8s.io/kubernetes\n\ngo 1.24.0\n\ngodebug default=go1.24\n\nreplace (\n\tk8s.io/api => ./staging/src/k8s.io/api\n\tk8s.io/client-go => ./staging/src/k8s.io/client-go\n)\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(goMod), 0o644))
	g, err := kubernetesBuild(Default, dir)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"k8s.io/api": "v0.34.3", "k8s.io/client-go": "v0.34.3"}, g.Replace)
	assert.Equal(t, "go1.24", g.Godebug)
	for _, want := range []string{"k8s.io/component-base/version.gitVersion=v1.34.3", "k8s.io/client-go/pkg/version.gitVersion=v1.34.3",
		"version.gitMajor=1'", "version.gitMinor=34'", "version.buildDate=2025-12-09T14:59:13Z", "version.gitTreeState=archive"} {
		assert.Contains(t, g.LDFlags, want)
	}
	assert.Len(t, g.Packages, 7)
	mod := g.goModFile()
	assert.Contains(t, mod, "require (\n\tk8s.io/kubernetes v1.34.3\n)")
	assert.Contains(t, mod, "\tk8s.io/api => k8s.io/api v0.34.3\n")
	assert.Contains(t, mod, "godebug default=go1.24")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644))
	_, err = kubernetesBuild(Default, dir)
	assert.ErrorContains(t, err, "no staging modules")
}

func TestBuildKeysFollowInputs(t *testing.T) {
	t.Parallel()
	builds := addonBuilds(Default)
	keys := map[string]bool{}
	for _, g := range builds {
		assert.Len(t, g.key(), 64)
		keys[g.key()] = true
		assert.Equal(t, g.key(), g.key(), "stable")
	}
	assert.Len(t, keys, len(builds), "every build has its own key")
	v := Default
	v.CoreDNS = "v1.12.2"
	for _, g := range addonBuilds(v) {
		if g.Name == "coredns" {
			assert.False(t, keys[g.key()], "another CoreDNS version is another key")
		}
	}
}

func TestTagHashesInputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "meshlab-runc")
	require.NoError(t, os.WriteFile(bin, []byte("one"), 0o755))
	b := &builder{versions: Default}
	tag, err := b.tag(map[string]string{"meshlab-runc": bin})
	require.NoError(t, err)
	assert.Regexp(t, `^meshlab/kind-node:v1\.34\.3-[0-9a-f]{12}$`, tag)
	again, err := b.tag(map[string]string{"meshlab-runc": bin})
	require.NoError(t, err)
	assert.Equal(t, tag, again)
	require.NoError(t, os.WriteFile(bin, []byte("two"), 0o755))
	changed, err := b.tag(map[string]string{"meshlab-runc": bin})
	require.NoError(t, err)
	assert.NotEqual(t, tag, changed, "a changed wrapper is a new image")
	b.versions.Etcd = "v3.6.6"
	assert.NotEqual(t, changed, must(b.tag(map[string]string{"meshlab-runc": bin})))
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}

func TestVersionHelpers(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "v0.34.3", stagingVersion("v1.34.3"))
	major, minor := majorMinor("v1.34.3")
	assert.Equal(t, "1", major)
	assert.Equal(t, "34", minor)
}

func TestBuildNeedsTheRepository(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := findRepoIn(context.Background(), "go", dir)
	assert.ErrorContains(t, err, "meshlab repository")
}
