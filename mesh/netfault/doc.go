// Package netfault realizes Chaos Mesh NetworkChaos (netem delay/loss/corrupt/duplicate, tbf
// bandwidth, iptables partition) in-process, on the TCP connections of one mesh workload, for
// kernels without netem.
//
// Every workload owns a loopback IP, so a rule's Targets are IP prefixes like pod IPs. An
// Engine lives in one process (a sidecar or the gateway) and shapes that process's egress — the
// bytes it writes — on connections it accepted (Listener) and connections it dialed
// (DialContext), when the peer's IP is in a rule's Targets (no Targets: every peer). Chaos
// Mesh's direction is turned into per-process rules by the caller: `to` is a rule on the
// sources targeting the target IPs, `from` a rule on the targets targeting the source IPs,
// `both` both.
//
// What the application sees is what netem does to a TCP flow:
//
//	Write ──► draws (per rule, netem correlation)       delay: L−J+U[0,2J)
//	  │        loss/corrupt: +RTO (200 ms, doubling)    duplicate: counted only
//	  ▼
//	send queue (per conn, ≤ 4 MiB, in order: due = max(previous due, now+delay))
//	  │ delivery goroutine, started lazily, exits when idle
//	  ▼
//	partition? hold until the rule goes ──► token buckets (one per rule, shared by all
//	  │                                      conns of the process; over limit: +RTO)
//	  ▼
//	net.Conn.Write
//
// A partition also holds reads from the peer and holds new dials to it until the caller's
// context ends; nothing is ever refused or reset. With no rules a wrapped connection costs one
// atomic load per Read and Write.
package netfault
