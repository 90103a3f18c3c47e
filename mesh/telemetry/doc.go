// Package telemetry is the mesh's own view of its traffic: Prometheus metrics of every sidecar
// and the gateway, each process with its private registry, and W3C traceparent propagation.
//
//	gateway public side ─ Metrics.Middleware(Side{Name: adminapi.SidePublic})   requests, latency
//	proxy request chain ─ Metrics.Outbound(source)                     requests, latency, tries
//	sidecar inbound     ─ Metrics.Middleware(Side{Name: adminapi.SideInbound})  requests, latency (per try)
//	Stats() snapshots   ─ WatchProxy, WatchFaults, WatchNet, WatchCounter (read at scrape time)
//	admin GET /metrics  ─ Metrics.Handler()
//
// Request metrics carry bounded labels only: the route is a known route key (Routes) or the
// effective policy's route, else "other". Counters that other packages already keep (retries,
// budget exhaustion, ejections, overflows, fault applications, handshake failures, authz
// denials) are collectors over their Stats functions: nothing is counted twice on the hot path.
package telemetry
