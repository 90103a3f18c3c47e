package local

import (
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/meshlab/meshlab/clusters"
)

// Defaults for Options.
const (
	DefaultStartTimeout = 10 * time.Second
	DefaultStopGrace    = 3 * time.Second
	// EnvMeshd names the meshd binary to run, overriding the lookup.
	EnvMeshd = "MESHLAB_MESHD"
)

// Options configure the local backend. The zero value works when meshd can be found.
type Options struct {
	// Meshd is the meshd binary. Empty: $MESHLAB_MESHD, then a meshd next to the running
	// executable, then meshd on $PATH.
	Meshd string
	// StartTimeout bounds the wait for one process's ready line. Zero: DefaultStartTimeout.
	StartTimeout time.Duration
	// StopGrace is how long a process gets between SIGTERM and SIGKILL. Zero: DefaultStopGrace.
	StopGrace time.Duration
	Logger    *slog.Logger
}

type backend struct{ opts Options }

// New returns the local process backend.
func New(opts Options) clusters.Backend {
	if opts.StartTimeout == 0 {
		opts.StartTimeout = DefaultStartTimeout
	}
	if opts.StopGrace == 0 {
		opts.StopGrace = DefaultStopGrace
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &backend{opts: opts}
}

func (b *backend) Name() string { return "local" }

// FindMeshd locates the meshd binary as Options.Meshd documents.
func FindMeshd(explicit string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	if p := os.Getenv(EnvMeshd); p != "" {
		return p, nil
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), "meshd")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath("meshd"); err == nil {
		return p, nil
	}
	return "", errors.New("meshd binary not found: build it (make build) or set " + EnvMeshd)
}

var _ clusters.Backend = (*backend)(nil)
