// Package identity gives a mesh workload its SPIFFE identity: a short-lived X.509 certificate
// the control plane's CA signs, kept fresh in the background, and the tls.Configs that use it.
//
//	Source.Run ── key + CSR ──POST /v1/certs──▶ control plane CA
//	     │  ◀── leaf + roots ─────────────────────┘
//	     ▼
//	atomic bundle (cert, roots) ── renewed at half life; retried while the CA is unreachable,
//	     │                          the old certificate serving until it expires
//	     ├─▶ ServerConfig: RequireAndVerifyClientCert against the roots, GetCertificate from the bundle
//	     └─▶ ClientConfig(service): presents the bundle's cert, verifies the server's URI SAN is
//	                                spiffe://meshlab.local/ns/<namespace>/sa/<service>
//
// Both configs read the bundle at every handshake, so a rotation applies to new connections
// at once and never touches established ones. PeerIdentity reads the caller's identity from a
// connection's TLS state.
package identity
