// Package tracectx is the W3C trace-context header (traceparent) as the mesh uses it: the
// gateway starts a trace, every hop continues it as a child span.
package tracectx

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
)

// Header is the canonical name of the traceparent header.
const Header = "Traceparent"

// Valid checks the version-00 form 00-<32 hex>-<16 hex>-<2 hex> (lower case, ids not all
// zeros; version ff is invalid).
func Valid(s string) bool {
	if len(s) != 55 || s[2] != '-' || s[35] != '-' || s[52] != '-' {
		return false
	}
	return hexField(s[0:2], false) && s[0:2] != "ff" && hexField(s[3:35], true) &&
		hexField(s[36:52], true) && hexField(s[53:55], false)
}

// Start sets a new traceparent (version 00, sampled) on h unless it carries a valid one.
func Start(h http.Header) {
	if v := h[Header]; len(v) == 1 && Valid(v[0]) {
		return
	}
	var b [24]byte // trace-id 16, parent-id 8
	PutRandom(b[:])
	h[Header] = []string{"00-" + hexString(b[:16]) + "-" + hexString(b[16:]) + "-01"}
}

// Child gives h's traceparent a new parent id (a child span of this hop), keeping its version,
// trace id and flags. A missing or malformed traceparent is left as it is.
func Child(h http.Header) {
	v := h[Header]
	if len(v) != 1 || !Valid(v[0]) {
		return
	}
	var b [8]byte
	for binary.LittleEndian.Uint64(b[:]) == 0 {
		PutRandom(b[:])
	}
	h[Header] = []string{v[0][:36] + hexString(b[:]) + v[0][52:]}
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

// PutRandom fills b (a multiple of 8 bytes) from the runtime's per-thread generator: unique
// enough for request and trace ids, and it takes no lock.
func PutRandom(b []byte) {
	for i := 0; i+8 <= len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rand.Uint64())
	}
}

func hexString(b []byte) string {
	var buf [64]byte
	n := hex.Encode(buf[:], b)
	return string(buf[:n])
}
