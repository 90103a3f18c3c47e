package ociimage

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Config says how the image runs. PATH defaults to the usual directories when Env sets none.
type Config struct {
	Entrypoint []string
	Cmd        []string
	Env        []string
	WorkingDir string
	Labels     map[string]string
}

// DefaultPath is the PATH an image gets when its Env has none.
const DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Image builds a linux image for this machine's architecture from layers, bottom first.
func Image(cfg Config, layers ...v1.Layer) (v1.Image, error) {
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		return nil, fmt.Errorf("adding layers: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", runtime.GOARCH
	env := cfg.Env
	if !hasPath(env) {
		env = append([]string{DefaultPath}, env...)
	}
	cf.Config = v1.Config{Entrypoint: cfg.Entrypoint, Cmd: cfg.Cmd, Env: env, WorkingDir: cfg.WorkingDir, Labels: cfg.Labels}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("setting config: %w", err)
	}
	return img, nil
}

// Static is a one-layer image holding the static binary at path in the image; the entrypoint
// defaults to it.
func Static(binary, path string, cfg Config) (v1.Image, error) {
	layer, err := Layer([]File{{Path: path, Source: binary, Mode: 0o755}}, "")
	if err != nil {
		return nil, err
	}
	if len(cfg.Entrypoint) == 0 {
		cfg.Entrypoint = []string{path}
	}
	return Image(cfg, layer)
}

// WriteArchive writes img tagged ref to path as a docker-archive tarball (what `docker save`
// writes and `ctr images import` and kind's image loading read), atomically.
func WriteArchive(path, ref string, img v1.Image) error {
	tag, err := name.NewTag(ref)
	if err != nil {
		return fmt.Errorf("image name %q: %w", ref, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".archive-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tarball.Write(tag, img, tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}

// Digests are an image's manifest digest (what a registry would serve) and its ID (the config
// digest, what containerd and the kubelet report as the image ID).
type Digests struct {
	Manifest string `json:"manifest"`
	ID       string `json:"id"`
}

// DigestsOf returns img's digests.
func DigestsOf(img v1.Image) (Digests, error) {
	m, err := img.Digest()
	if err != nil {
		return Digests{}, fmt.Errorf("image digest: %w", err)
	}
	c, err := img.ConfigName()
	if err != nil {
		return Digests{}, fmt.Errorf("image config digest: %w", err)
	}
	return Digests{Manifest: m.String(), ID: c.String()}, nil
}

func hasPath(env []string) bool {
	for _, e := range env {
		if len(e) > 5 && e[:5] == "PATH=" {
			return true
		}
	}
	return false
}
