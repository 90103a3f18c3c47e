package main

import (
	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/clusters/kube"
	"github.com/meshlab/meshlab/clusters/local"
)

// backends is the registry of this build's backends: the one place the CLI names a concrete
// backend. Scenarios (and --backend) may name any of them.
func backends(f backendFlags) clusters.Registry {
	return clusters.Registry{
		"local": local.New(local.Options{Logger: f.log}),
		"kube":  kube.New(kube.Options{Kubeconfig: f.kubeconfig, Context: f.context, Image: f.image, Logger: f.log}),
	}
}
