package main

import (
	"log/slog"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/clusters/local"
)

// backends is the registry of this build's backends: the one place the CLI names a concrete
// backend. Scenarios (and --backend) may name any of them.
func backends(log *slog.Logger) clusters.Registry {
	return clusters.Registry{
		"local": local.New(local.Options{Logger: log}),
	}
}
