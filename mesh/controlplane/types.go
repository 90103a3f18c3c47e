package controlplane

import "github.com/meshlab/meshlab/mesh/policy"

// Instance is one registered service instance: the address other sidecars and the gateway dial
// (its sidecar's inbound listener), and the labels faults and traffic splits select on.
type Instance struct {
	ID      string            `json:"id"`      // unique per incarnation, e.g. "payment-1"
	Service string            `json:"service"` // "user", "product", "order", "payment"
	Addr    string            `json:"addr"`    // host:port of the sidecar's inbound listener
	Labels  map[string]string `json:"labels"`  // at least app=<service>, version=<v>
	Ready   bool              `json:"ready"`   // false while the service process is down
}

// Snapshot is the control plane's whole view at one version: what a watcher receives.
type Snapshot struct {
	Version  uint64                `json:"version"`
	Services map[string][]Instance `json:"services"` // only Ready instances, sorted by ID
	// Policy is the mesh's governance policy, as last PUT; nil: none was (since this control
	// plane started). Published snapshots share it: never change it.
	Policy *policy.MeshPolicy `json:"policy,omitempty"`
	// PolicyVersion identifies Policy: the snapshot version its PUT published (so it grows
	// across control-plane restarts too); 0: no policy. A sidecar that holds a policy ignores a
	// snapshot whose PolicyVersion is 0 (a restarted control plane that lost it).
	PolicyVersion uint64 `json:"policyVersion,omitempty"`
}
