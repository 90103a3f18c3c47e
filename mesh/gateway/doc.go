// Package gateway is the mesh's north-south entry: it routes public requests by method and
// path to the four services, over the same outbound core as a sidecar (mesh/proxy).
//
//	client ──▶ Gateway.ServeHTTP
//	             │ X-Request-Id: kept, or a new random one (also on the answer)
//	             │ traceparent: kept, or a new W3C trace started
//	             │ route table: GET /users/{id} → user      GET /products, /products/{id} → product
//	             │              POST /orders → order         POST /payments → payment
//	             │   no route: 404, known path with another method: 405 + Allow (JSON errors)
//	             ▼
//	           proxy.Proxy: timeout → retry → pick → transport ──▶ a sidecar's inbound listener
//
// Internal paths of the services (/products/{id}/reservations, /internal/...) have no route.
// The control plane is wired by the caller, which feeds Update with every snapshot.
package gateway
