// Package testbin builds meshlab's binaries once per test process, so integration tests run the
// real meshd and meshlab executables.
package testbin

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
)

var (
	once sync.Once
	dir  string
	err  error
)

// Build builds cmd/meshd and cmd/meshlab into a temporary directory (once) and returns it.
// Callers remove nothing: Cleanup removes the directory at the end of TestMain.
func Build() (string, error) {
	once.Do(func() {
		dir, err = os.MkdirTemp("", "meshlab-bin-")
		if err != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "./cmd/meshd", "./cmd/meshlab")
		cmd.Dir = moduleRoot()
		cmd.Env = staticBuild()
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		err = cmd.Run()
	})
	return dir, err
}

// BareProxy builds internal/bareproxy (the benchmarks' reference reverse proxy) beside the
// binaries Build makes, and returns its path.
func BareProxy() (string, error) {
	d, err := Build()
	if err != nil {
		return "", err
	}
	bareOnce.Do(func() {
		cmd := exec.Command("go", "build", "-o", filepath.Join(d, "bareproxy"), "./internal/bareproxy")
		cmd.Dir = moduleRoot()
		cmd.Env = staticBuild()
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		bareErr = cmd.Run()
	})
	return filepath.Join(d, "bareproxy"), bareErr
}

var (
	bareOnce sync.Once
	bareErr  error
)

// staticBuild is the environment of a build as `make build` does it: without cgo (see the
// Makefile), so that tests and benchmarks run the binaries users run.
func staticBuild() []string { return append(os.Environ(), "CGO_ENABLED=0") }

// Cleanup removes the built binaries.
func Cleanup() {
	if dir != "" {
		os.RemoveAll(dir)
	}
}

// moduleRoot is the repository root, found from this file's location.
func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}
