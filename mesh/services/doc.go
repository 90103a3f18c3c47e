// Package services holds the four business services of the reference mesh — user, product,
// order and payment — as real HTTP handlers over in-memory state. Every instance of a service is
// seeded identically from the run's seed (user 17 and product 4711 exist on every replica), and
// spends a configurable work time per request (fixed, or a seeded lognormal).
//
// A service calls another service only through its sidecar: the request goes to the sidecar's
// outbound listener with Host set to the destination service ("payment"). Requests carrying an
// Idempotency-Key are routed by the mesh to the same instance for the same key, so the
// idempotency records and stock reservations each instance holds in memory are found again.
//
// HTTP API (JSON bodies; errors are {"error": "..."} with the status shown):
//
//	user     GET  /users/{id}             id 1..1000 → 200 {"id","name","email","tier"}; else 404
//	product  GET  /products/{id}          id 1..10000 → 200 {"id","name","priceCents","stock"}; else 404
//	         GET  /products?limit=N&offset=M
//	                                      N 1..1000 (default 20) → 200 {"items":[product…],"total":10000}; bad N → 400
//	         POST /products/{id}/reservations   internal; header Idempotency-Key: <reservationId>
//	                                      body {"reservationId","quantity"} → 201 {"reservationId","productId","quantity"};
//	                                      same id again → 201, same reservation (no second decrement);
//	                                      not enough stock → 409
//	         DELETE /products/{id}/reservations/{reservationId}   internal; header Idempotency-Key: <reservationId>
//	                                      → 204 and the stock is back; unknown id → 404
//	order    POST /orders                 body {"userId","items":[{"productId","quantity"}],"card"}
//	                                      validates the user (GET /users/{id}), reserves each item, charges
//	                                      payment with Idempotency-Key "charge-<orderId>"; a failed charge
//	                                      releases every reservation. → 201 {"orderId","status":"confirmed",
//	                                      "amountCents","paymentId"}; unknown user → 422; out of stock → 409;
//	                                      declined → 402; a dependency failing → 502 (503 if unreachable)
//	payment  POST /payments               body {"amountCents","currency","card","orderId"?}; header
//	                                      Idempotency-Key optional. → 201 {"paymentId","status":"succeeded",
//	                                      "amountCents"}; the same key again → the stored answer with header
//	                                      Idempotent-Replayed: true, no second charge; the same key with another
//	                                      body → 422; card "tok_declined" → 402 {"status":"declined"}
//	all      GET  /healthz                200 once serving
//	         GET  /internal/stats         200 {"service","instance","requests", service counters:
//	                                      "charges" (payment), "reservations"/"stockTotal" (product)…}
//
// Within that contract:
//
//   - Every answer with a body is JSON (Content-Type: application/json), /healthz's too
//     ({"status":"ok"}). An unknown path is a 404 and another method on a known path a 405 with
//     an Allow header, both as JSON errors. A malformed body or out-of-range field is a 400.
//   - Work time is spent before every request's work except /healthz and /internal/stats; a
//     request canceled during it ends there (503). Draws come from a PCG seeded by Seed and
//     Instance, so an instance's sequence of draws repeats run after run.
//   - Products: offset M ≥ 0 (else 400; past the end: no items). A reservation's answer also
//     carries "priceCents", the unit price the order charges; a replayed one carries
//     Idempotent-Replayed: true. An Idempotency-Key other than the reservationId is a 400; the
//     same reservationId with another product or quantity a 422. A released reservation is
//     remembered for 10–20 minutes: releasing it again is a 204, reserving it again a 409 (so a
//     late retry cannot take the stock a second time). The stock is per instance; reservations of
//     confirmed orders stay held.
//   - Orders: ids are "<instance>-<start time, base 36 ns>-<n>", unique across instances and
//     restarts; reservation n (from 1) of an order is "<orderId>-<n>". An unknown product is a 422.
//     A dependency that gives no answer (no sidecar listener, connection refused or dropped,
//     timeout: each call has a 60 s backstop; the sidecar's route timeout governs) makes a 503;
//     one that answers unexpectedly (a 5xx of its own or of the sidecar, or an undecodable body)
//     a 502. Whenever an order fails after reserving, it
//     releases — concurrently, past a canceled request — every reservation it holds or may hold
//     (one whose request got no answer may have been taken) before it answers. X-Request-Id,
//     traceparent and tracestate of the order request are sent on every call it makes.
//   - Payments: paymentIds are made like orderIds. amountCents 1..10^9, currency 3 letters, card
//     non-empty, else 400. A declined answer is {"status":"declined","amountCents","error"}; it is
//     stored under its key like a success. Keys (at most 256 bytes) are remembered for 15–30
//     minutes; the body's fingerprint is a SHA-256 of its bytes. A duplicate arriving while the
//     first request with its key runs waits for that answer.
//   - Stats counters: user "users"; product "products", "reservations" (held now), "stockTotal",
//     "reserved", "released"; order "orders" (confirmed), "failed", "released",
//     "releaseFailures"; payment "charges", "chargedCents", "declines", "replays",
//     "idempotencyKeys". Every service also reports "work", its work time as ParseWorkTime reads it.
package services
