package main

import (
	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/clusters/kind"
	"github.com/meshlab/meshlab/clusters/kube"
	"github.com/meshlab/meshlab/clusters/local"
)

// backends is the registry of this build's backends: the one place the CLI names a concrete
// backend. Scenarios (and --backend) may name any of them.
func backends(f backendFlags) clusters.Registry {
	meshd, _ := local.FindMeshd("") // "": the kind backend says meshd is missing when it needs it
	return clusters.Registry{
		"local": local.New(local.Options{Logger: f.log}),
		"kube":  kube.New(kube.Options{Kubeconfig: f.kubeconfig, Context: f.context, Image: f.image, Logger: f.log}),
		"kind": kind.NewBackend(kind.BackendOptions{Cluster: f.cluster, Keep: f.keep, Config: kindConfig,
			Meshd: meshd, Logger: f.log}),
	}
}

// kindConfig is the kind Cluster config of the clusters runs create (and meshlab kind up's).
const kindConfig = "clusters/kind.yaml"
