package adminapi

// Paths of the admin endpoints. Every one but Health needs the run token.
const (
	// Health answers 200 while the process serves.
	Health = "/healthz"
	// Ready and Live are a proxy's readiness and liveness on its health port (no token): what a
	// kubelet probes.
	Ready = "/healthz/ready"
	Live  = "/healthz/live"
	// Metrics serves the process's Prometheus metrics in the text format.
	Metrics = "/metrics"
	// Stats serves the proxy's counters as Stats.
	Stats = "/v1/stats"
	// Config serves a proxy's effective config and endpoint table.
	Config = "/v1/config"
	// Policy serves the MeshPolicy in force and its version.
	Policy = "/v1/policy"
	// Faults shows a proxy's fault rules and what they did.
	Faults = "/v1/faults"
	// NetFaults and HTTPFaults take a proxy's whole set of network and HTTPChaos rules (PUT).
	NetFaults  = "/v1/faults/net"
	HTTPFaults = "/v1/faults/http"
	// Stress takes a service process's StressChaos (PUT, DELETE; GET shows it).
	Stress = "/v1/stress"
	// Kill SIGKILLs the pod's other meshd process, {"role": "service"|"sidecar"} (POST): a
	// PodChaos container-kill where no container runtime is reachable (pods share their
	// process namespace).
	Kill = "/v1/kill"
)
