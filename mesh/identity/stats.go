package identity

import (
	"sync/atomic"
	"time"
)

// Stats counts a Source's work.
type Stats struct {
	// Rotations counts certificates that replaced an earlier one.
	Rotations uint64
	// RotationFailures counts renewals that failed (and were retried).
	RotationFailures uint64
	// HandshakeFailures counts failed mTLS handshakes reported with HandshakeFailed (the
	// listeners and dialers that use this Source's configs report theirs).
	HandshakeFailures uint64
	// Expires is when the current certificate expires; zero before the first.
	Expires time.Time
}

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
