// Package adminapi is the wire contract of meshd's admin endpoints, imported by both sides:
// the mesh's processes that serve it (sidecar, gateway, control plane, services) and the
// harness and backends that call it. It holds the run-token header and its guard, the paths,
// the names and labels of the Prometheus metrics at /metrics, and the JSON of /v1/stats. It
// imports nothing of the mesh, so a caller learns the API without linking the data plane.
//
//	harness / backend ──GET /metrics, /v1/stats (TokenHeader)──▶ sidecar or gateway admin
//	                  ──PUT /v1/faults/net|http, /v1/stress ────▶ sidecar, gateway, service admin
package adminapi
