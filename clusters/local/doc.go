// Package local is the process backend: every component of the mesh runs as its own meshd
// process on loopback, supervised by the harness like a ReplicaSet would supervise pods.
//
//	harness ──spawn──▶ meshd controlplane   (listens on a socket the harness owns: a stable address)
//	        ──spawn──▶ meshd sidecar  payment-0 ─┐ a "pod": the sidecar fronts the service; the
//	        ──spawn──▶ meshd service  payment-0 ◀┘ service calls out only through the sidecar
//	        …          (one pod per replica)
//	        ──spawn──▶ meshd gateway            (the public entry; vegeta attacks it)
//
// Each pod has its own loopback address and, like a pod's declared container ports, two fixed
// ports on it: the service's, and the sidecar's outbound listener, the same through every
// restart (taken below the kernel's ephemeral range). The sidecar probes its service for
// readiness, as a kubelet would, and the service calls out through the fixed outbound port, so
// no process is ever told another's address. Every other listener binds port 0 and reports the
// address it got on a ready pipe (mesh/proc). Each process writes its log to
// <run>/logs/<id>.log, and every incarnation's pid and addresses are appended to
// <run>/processes.jsonl, so tests can check that nothing outlives a run. A process that exits is
// restarted after the topology's restart delay. Down ends every pending restart at once and
// keeps its caller's deadline. Children run in their own process group (a terminal's Ctrl-C
// reaches only the harness, which tears down in order) and die with the harness even when it is
// SIGKILLed (Pdeathsig, from a thread that lives as long as the harness).
package local
