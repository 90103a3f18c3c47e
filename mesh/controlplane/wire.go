package controlplane

import "time"

// Paths of the control plane's HTTP API.
const (
	pathRegister = "/v1/register"
	pathWatch    = "/v1/watch"
	pathSnapshot = "/v1/snapshot"
	pathPolicy   = "/v1/policy"
)

const (
	// heartbeatInterval is how often a registration sends a line when nothing changes.
	heartbeatInterval = time.Second
	// maxLine bounds one line of a registration stream.
	maxLine = 64 << 10
)

// heartbeat is every line after the first (the Instance) on a registration stream: "{}" keeps
// the registration alive, "{"ready":false}" also changes the instance's readiness.
type heartbeat struct {
	Ready *bool `json:"ready,omitempty"`
}

// ack is the server's line in answer to each line of a registration stream.
type ack struct {
	Version uint64 `json:"version"`
}
