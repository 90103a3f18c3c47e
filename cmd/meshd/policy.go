package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/policy"
)

// loadPolicy publishes the MeshPolicy JSON document at path ("": none) on srv, strictly
// decoded and validated, so a control plane can start with a policy in force.
func loadPolicy(srv *controlplane.Server, path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading policy: %w", err)
	}
	defer f.Close()
	var p policy.MeshPolicy
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("policy %s: %w", path, err)
	}
	if _, err := srv.SetPolicy(p); err != nil {
		return fmt.Errorf("policy %s: %w", path, err)
	}
	return nil
}
