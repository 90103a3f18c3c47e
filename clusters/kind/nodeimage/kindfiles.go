package nodeimage

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/meshlab/meshlab/clusters/kind/ociimage"
)

// RuncWrapper is where the node keeps meshlab-runc, containerd's runc BinaryName.
const RuncWrapper = "/usr/local/sbin/meshlab-runc"

// kindBaseFiles are kind's images/base/files (entrypoint, containerd config, kubelet unit and
// drop-ins, sysctl files), read from the kind module with the modes its Dockerfile gives them,
// and kind's license beside them.
func kindBaseFiles(kindDir string) ([]ociimage.File, error) {
	root := filepath.Join(kindDir, "images", "base", "files")
	var files []ociimage.File
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		f := ociimage.File{Path: "/" + filepath.ToSlash(rel), Source: path, Mode: 0o644}
		if strings.HasPrefix(rel, "usr/local/bin/") || strings.HasPrefix(rel, "kind/bin/") {
			f.Mode = 0o755
		}
		if rel == "etc/containerd/config.toml" {
			raw, err := readFile(path)
			if err != nil {
				return err
			}
			cfg, err := patchContainerdConfig(string(raw), Default.Pause)
			if err != nil {
				return err
			}
			f.Source, f.Data = "", []byte(cfg)
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading kind's base files: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no base files under %s", root)
	}
	files = append(files, ociimage.File{Path: "/LICENSES/kind-LICENSE", Source: filepath.Join(kindDir, "LICENSE")})
	return files, nil
}

// patchContainerdConfig points kind's containerd config at the pause image built here and runs
// runc through meshlab-runc (which changes nothing on a host that has CAP_SYS_RESOURCE).
func patchContainerdConfig(cfg, pause string) (string, error) {
	const sandbox = `sandbox_image = "registry.k8s.io/pause:`
	i := strings.Index(cfg, sandbox)
	if i < 0 {
		return "", fmt.Errorf("containerd config has no %s...", sandbox)
	}
	end := strings.Index(cfg[i:], "\n")
	cfg = cfg[:i] + sandbox + pause + `"` + cfg[i+end:]
	n := 0
	var out strings.Builder
	for _, line := range strings.SplitAfter(cfg, "\n") {
		out.WriteString(line)
		if strings.HasPrefix(strings.TrimSpace(line), "[") && strings.HasSuffix(strings.TrimSpace(line), ".options]") {
			out.WriteString("    BinaryName = \"" + RuncWrapper + "\"\n")
			n++
		}
	}
	if n == 0 {
		return "", fmt.Errorf("containerd config has no runtime options table")
	}
	return out.String(), nil
}

// storageManifest is kind's default storage manifest (local-path-provisioner), read from the
// kind module's source, with its two images replaced by the ones built here.
func storageManifest(kindDir, provisioner, helper string) (string, error) {
	raw, err := readFile(filepath.Join(kindDir, "pkg", "build", "nodeimage", "const_storage.go"))
	if err != nil {
		return "", err
	}
	const start = "const defaultStorageManifest = `"
	src := string(raw)
	i := strings.Index(src, start)
	if i < 0 {
		return "", fmt.Errorf("no storage manifest in kind's const_storage.go")
	}
	body := src[i+len(start):]
	j := strings.LastIndex(body, "`")
	if j < 0 {
		return "", fmt.Errorf("unterminated storage manifest in kind's const_storage.go")
	}
	m := strings.NewReplacer("` + storageProvisionerImage + `", provisioner, "` + storageHelperImage + `", helper).Replace(body[:j])
	if strings.Contains(m, "`") {
		return "", fmt.Errorf("kind's storage manifest names an image this build does not know")
	}
	return m, nil
}
