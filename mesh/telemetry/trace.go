package telemetry

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"

	"github.com/meshlab/meshlab/mesh/proxy"
)

// HeaderTraceparent is the W3C trace-context header.
const HeaderTraceparent = "Traceparent"

// ChildTraceparent gives h's traceparent a new parent id (a child span of this hop), keeping
// its version, trace id and flags. A missing or malformed traceparent is left as it is: the
// gateway starts traces, hops only continue them.
func ChildTraceparent(h http.Header) {
	v := h[HeaderTraceparent]
	if len(v) != 1 || !ValidTraceparent(v[0]) {
		return
	}
	h[HeaderTraceparent] = []string{v[0][:36] + newSpanID() + v[0][52:]}
}

// Trace is the request-chain middleware that sends each outbound request as a child span
// (ChildTraceparent) of the one it came with; the caller's request is not changed.
func Trace(next http.RoundTripper) http.RoundTripper {
	return proxy.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		if _, ok := r.Header[HeaderTraceparent]; !ok {
			return next.RoundTrip(r)
		}
		r2 := *r
		r2.Header = r.Header.Clone()
		ChildTraceparent(r2.Header)
		return next.RoundTrip(&r2)
	})
}

// ValidTraceparent checks the version-00 form 00-<32 hex>-<16 hex>-<2 hex> (lower case, ids not
// all zeros; version ff is invalid).
func ValidTraceparent(s string) bool {
	if len(s) != 55 || s[2] != '-' || s[35] != '-' || s[52] != '-' {
		return false
	}
	return hexField(s[0:2], false) && s[0:2] != "ff" && hexField(s[3:35], true) &&
		hexField(s[36:52], true) && hexField(s[53:55], false)
}

// hexField reports whether s is lower-case hex, and not all zeros when nonZero.
func hexField(s string, nonZero bool) bool {
	zero := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
		zero = zero && c == '0'
	}
	return !nonZero || !zero
}

// newSpanID returns 8 random bytes in hex, never all zeros.
func newSpanID() string {
	var b [8]byte
	for {
		binary.LittleEndian.PutUint64(b[:], rand.Uint64())
		if binary.LittleEndian.Uint64(b[:]) != 0 {
			return hex.EncodeToString(b[:])
		}
	}
}

var _ proxy.Middleware = Trace
