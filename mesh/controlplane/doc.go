// Package controlplane is the mesh's control plane: service discovery with registration,
// liveness and watch. It keeps one versioned Snapshot of the mesh (state of the world, as in
// xDS SotW): every change bumps the version, and watchers receive the whole snapshot whenever the
// version moves. Later resources (policies, certificates) become more Snapshot fields.
//
//	sidecar ── POST /v1/register (one streaming request, full duplex) ──▶ Server
//	  │  body:  {"id":..,"service":..,"addr":..,"ready":true}\n   the Instance, first line
//	  │         {}\n  or  {"ready":false}\n                          heartbeat, every second
//	  │ ◀─────  {"version":N}\n                                       one ack per line
//	  │  the instance is removed when the body ends or the connection drops (process exit,
//	  │  SIGKILL: the kernel closes the socket) or no line arrives within the heartbeat TTL;
//	  │  each stream has a connection of its own (Connection: close), full duplex on HTTP/1.1
//	  │
//	gateway, sidecar ── GET /v1/watch?version=N (long poll) ──▶ the Snapshot once its version
//	                    differs from N (N=0: at once), else the current one after WatchTimeout
//
// GET /v1/snapshot returns the current snapshot, GET /healthz answers "ok".
//
// Policy distribution: PUT /v1/policy (run token; Client.PutPolicy, or Server.SetPolicy) takes
// a MeshPolicy as strict JSON, validates it (400 {"error","problems":[...]}: every problem
// with its field path, nothing changes) and publishes it as a new snapshot version, which is
// also the snapshot's PolicyVersion; long polls answer at once, so sidecars and the gateway
// apply it within a second. GET /v1/policy shows {"version": N, "policy": {...}}. A restarted
// control plane has no policy (PolicyVersion 0) until it is PUT again; clients holding one
// ignore a snapshot without one and keep theirs.
//
// Versions start at the server's start time in microseconds, so a restarted control plane
// normally continues upward; clients only compare them for equality. A fresh server holds back
// watchers that knew a previous incarnation for ResyncGrace, so live clients re-register before
// those watchers see the rebuilt state, instead of an empty or partial one.
//
// Client rides out a lost control plane: Register re-registers and Watch re-polls, with
// backoff capped at 500 ms, and Watch never reports an outage as an empty snapshot.
package controlplane
