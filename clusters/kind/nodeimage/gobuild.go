package nodeimage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
)

// goBuild is one `go build` of main packages from a throwaway module that requires the
// components' modules, so each builds with the dependency versions its own go.mod pins.
type goBuild struct {
	Name     string            // cache entry name, e.g. "kubernetes"
	Require  map[string]string // module → version
	Replace  map[string]string // module → version of the same path (Kubernetes' staging modules)
	Godebug  string            // the godebug default of the component's own go.mod, if any
	Files    map[string]string // extra source files of the throwaway module (CoreDNS's main)
	Packages []string          // main packages to build, in one invocation
	Tags     []string
	LDFlags  string
	Rename   map[string]string // binary name go build gives → name in the image
}

// goModFile renders the throwaway module's go.mod.
func (g goBuild) goModFile() string {
	var b strings.Builder
	fmt.Fprintf(&b, "module meshlab.local/build/%s\n\ngo 1.24.0\n", g.Name)
	if g.Godebug != "" {
		fmt.Fprintf(&b, "\ngodebug default=%s\n", g.Godebug)
	}
	b.WriteString("\nrequire (\n")
	for _, m := range sortedKeys(g.Require) {
		fmt.Fprintf(&b, "\t%s %s\n", m, g.Require[m])
	}
	b.WriteString(")\n")
	if len(g.Replace) > 0 {
		b.WriteString("\nreplace (\n")
		for _, m := range sortedKeys(g.Replace) {
			fmt.Fprintf(&b, "\t%s => %s %s\n", m, m, g.Replace[m])
		}
		b.WriteString(")\n")
	}
	return b.String()
}

// key hashes everything that decides the binaries: the build, the Go version and platform.
func (g goBuild) key() string {
	raw, _ := json.Marshal(g)
	return hashOf(string(raw), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// build returns the directory holding the binaries (named after their package's last element),
// building them unless the cache has them.
func (b *builder) build(ctx context.Context, g goBuild) (string, error) {
	dir := filepath.Join(b.cache, "go", g.Name+"-"+g.key()[:16])
	out := filepath.Join(dir, "bin")
	if _, err := os.Stat(out); err == nil {
		b.log.Info("cached", "build", g.Name, "dir", out)
		return out, nil
	}
	mod := filepath.Join(dir, "mod")
	if err := os.MkdirAll(mod, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", mod, err)
	}
	files := map[string]string{"go.mod": g.goModFile()}
	for name, src := range g.Files {
		files[name] = src
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(mod, name), []byte(src), 0o644); err != nil {
			return "", fmt.Errorf("writing %s: %w", name, err)
		}
	}
	tmp := out + ".tmp"
	_ = os.RemoveAll(tmp)
	args := []string{"build", "-mod=mod", "-trimpath", "-o", tmp + "/"}
	if len(g.Tags) > 0 {
		args = append(args, "-tags", strings.Join(g.Tags, ","))
	}
	args = append(args, "-ldflags", strings.TrimSpace(g.LDFlags+" -s -w"))
	args = append(args, g.Packages...)
	start := time.Now()
	b.log.Info("building", "build", g.Name, "packages", len(g.Packages), "log", filepath.Join(dir, "build.log"))
	if err := b.run(ctx, mod, filepath.Join(dir, "build.log"), []string{"CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local"}, b.goCmd, args...); err != nil {
		return "", fmt.Errorf("building %s: %w", g.Name, err)
	}
	for from, to := range g.Rename {
		if err := os.Rename(filepath.Join(tmp, from), filepath.Join(tmp, to)); err != nil {
			return "", fmt.Errorf("building %s: %w", g.Name, err)
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		return "", fmt.Errorf("building %s: %w", g.Name, err)
	}
	b.log.Info("built", "build", g.Name, "took", time.Since(start).Round(time.Second))
	return out, nil
}

// run runs a command in dir, its output appended to logPath; on failure the error carries the
// output's last lines.
func (b *builder) run(ctx context.Context, dir, logPath string, env []string, name string, args ...string) error {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("opening log: %w", err)
	}
	defer f.Close()
	var tail bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, &tailWriter{w: f, buf: &tail}
	cmd.WaitDelay = 10 * time.Second
	fmt.Fprintf(f, "$ %s %s\n", name, strings.Join(args, " "))
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, lastLines(tail.String(), 8))
	}
	return nil
}

// modDir returns the module cache directory of path@version, downloading it if needed.
func (b *builder) modDir(ctx context.Context, path, version string) (string, error) {
	cmd := exec.CommandContext(ctx, b.goCmd, "mod", "download", "-json", path+"@"+version)
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	raw, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(raw, &info); jerr != nil || info.Error != "" || err != nil {
		return "", fmt.Errorf("downloading %s@%s: %v %s", path, version, err, info.Error)
	}
	return info.Dir, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// tailWriter copies to w and keeps everything in buf (trimmed to the last lines on error).
type tailWriter struct {
	w   *os.File
	buf *bytes.Buffer
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.buf.Write(p)
	if t.buf.Len() > 64<<10 {
		t.buf.Next(t.buf.Len() - 32<<10)
	}
	return t.w.Write(p)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
