package identity

import (
	"sync/atomic"

	"github.com/meshlab/meshlab/mesh/adminapi"
)

// Stats counts a Source's work; GET /v1/stats shows them (adminapi.IdentityStats).
type Stats = adminapi.IdentityStats

type stats struct {
	rotations, rotationFailures, handshakeFailures atomic.Uint64
}

// Stats returns the counters.
func (s *Source) Stats() Stats {
	st := Stats{
		Rotations:         s.stats.rotations.Load(),
		RotationFailures:  s.stats.rotationFailures.Load(),
		HandshakeFailures: s.stats.handshakeFailures.Load(),
	}
	if b := s.cur.Load(); b != nil {
		st.Expires = b.cert.Leaf.NotAfter
	}
	return st
}

// HandshakeFailed counts a failed handshake of a listener or dialer using this Source's configs.
func (s *Source) HandshakeFailed(error) { s.stats.handshakeFailures.Add(1) }
