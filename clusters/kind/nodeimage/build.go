package nodeimage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Repository is the image repository node images are tagged in.
const Repository = "meshlab/kind-node"

// recipe is bumped when the steps change what they produce in a way the inputs do not show;
// rootfsRecipe likewise for the debootstrapped rootfs alone.
const (
	recipe       = "2"
	rootfsRecipe = "1"
)

// Options configure Build; a zero field takes its default.
type Options struct {
	Versions Versions     // Default
	CacheDir string       // os.UserCacheDir()/meshlab/kind
	RepoDir  string       // the meshlab module (meshlab-runc, meshlab-cni come from it): found from the working directory
	Mirror   string       // Debian mirror for debootstrap: http://deb.debian.org/debian
	Go       string       // the go command: "go"
	Force    bool         // build even when the tag exists
	Logger   *slog.Logger // discards when nil
}

// Result is what Build made.
type Result struct {
	Image   string        // meshlab/kind-node:<kubernetes version>-<hash of inputs>
	Skipped bool          // the tag existed
	Took    time.Duration // the whole build
}

type builder struct {
	log      *slog.Logger
	cache    string
	goCmd    string
	mirror   string
	repo     string
	versions Versions
	kindDir  string // sigs.k8s.io/kind in the module cache
	kubeDir  string // k8s.io/kubernetes in the module cache
}

// Build builds the node image unless its tag exists, and returns its name.
func Build(ctx context.Context, o Options) (Result, error) {
	start := time.Now()
	b, err := newBuilder(ctx, o)
	if err != nil {
		return Result{}, err
	}
	own, err := b.meshlabBinaries(ctx)
	if err != nil {
		return Result{}, err
	}
	tag, err := b.tag(own)
	if err != nil {
		return Result{}, err
	}
	if !o.Force && b.imageExists(ctx, tag) {
		b.log.Info("node image exists", "image", tag)
		return Result{Image: tag, Skipped: true, Took: time.Since(start)}, nil
	}
	parts, err := b.buildParts(ctx, own)
	if err != nil {
		return Result{}, err
	}
	if err := b.assemble(ctx, tag, parts); err != nil {
		return Result{}, err
	}
	b.log.Info("node image built", "image", tag, "took", time.Since(start).Round(time.Second))
	return Result{Image: tag, Took: time.Since(start)}, nil
}

func newBuilder(ctx context.Context, o Options) (*builder, error) {
	b := &builder{log: o.Logger, cache: o.CacheDir, goCmd: o.Go, mirror: o.Mirror, repo: o.RepoDir, versions: o.Versions}
	if b.log == nil {
		b.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if b.versions == (Versions{}) {
		b.versions = Default
	}
	if b.goCmd == "" {
		b.goCmd = "go"
	}
	if b.mirror == "" {
		b.mirror = "http://deb.debian.org/debian"
	}
	if b.cache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("cache directory: %w", err)
		}
		b.cache = filepath.Join(dir, "meshlab", "kind")
	}
	if err := os.MkdirAll(b.cache, 0o755); err != nil {
		return nil, fmt.Errorf("cache directory: %w", err)
	}
	if b.repo == "" {
		repo, err := findRepoIn(ctx, b.goCmd, "")
		if err != nil {
			return nil, err
		}
		b.repo = repo
	}
	var err error
	if b.kindDir, err = b.modDir(ctx, "sigs.k8s.io/kind", b.versions.Kind); err != nil {
		return nil, err
	}
	if b.kubeDir, err = b.modDir(ctx, "k8s.io/kubernetes", b.versions.Kubernetes); err != nil {
		return nil, err
	}
	return b, nil
}

// findRepoIn returns the root of the meshlab module around dir (the working directory when
// empty).
func findRepoIn(ctx context.Context, goCmd, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, goCmd, "env", "GOMOD")
	cmd.Dir = dir
	out, err := cmd.Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", errors.New("run from the meshlab repository (no go.mod around the working directory)")
	}
	raw, err := os.ReadFile(gomod)
	if err != nil || !strings.HasPrefix(string(raw), "module github.com/meshlab/meshlab\n") {
		return "", fmt.Errorf("%s is not meshlab's go.mod: run from the meshlab repository", gomod)
	}
	return filepath.Dir(gomod), nil
}

// tag is Repository:<kubernetes version>-<12 hex of the hash of every input>.
func (b *builder) tag(own map[string]string) (string, error) {
	v, _ := json.Marshal(b.versions)
	parts := []string{recipe, string(v), runtime.Version(), runtime.GOARCH, nodeScript, cniManifest, iptablesWrapper,
		strings.Join(basePackages, ","), strings.Join(toolsPackages, ",")}
	for _, name := range sortedKeys(own) {
		sum, err := fileHash(own[name])
		if err != nil {
			return "", err
		}
		parts = append(parts, name+"="+sum)
	}
	return Repository + ":" + b.versions.Kubernetes + "-" + hashOf(parts...)[:12], nil
}

func hashOf(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func fileHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hashing %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hashing %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
