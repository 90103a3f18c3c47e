package gateway

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
)

// Headers the gateway sets on the way in.
const (
	headerRequestID   = "X-Request-Id"
	headerTraceparent = "Traceparent"
)

// maxRequestID bounds an incoming X-Request-Id the gateway keeps.
const maxRequestID = 128

// requestID returns r's X-Request-Id, setting a new random one (16 bytes, hex) when it has none
// or an unusable one.
func requestID(r *http.Request) string {
	if v := r.Header[headerRequestID]; len(v) > 0 && usableID(v[0]) {
		return v[0]
	}
	var b [16]byte
	putRandom(b[:])
	id := hexString(b[:])
	r.Header[headerRequestID] = []string{id}
	return id
}

// usableID accepts 1..maxRequestID visible ASCII characters.
func usableID(s string) bool {
	if s == "" || len(s) > maxRequestID {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// startTrace sets a new W3C traceparent (version 00, sampled) on r unless it has a valid one.
func startTrace(r *http.Request) {
	if v := r.Header[headerTraceparent]; len(v) == 1 && validTraceparent(v[0]) {
		return
	}
	var b [24]byte // trace-id 16, parent-id 8
	putRandom(b[:])
	r.Header[headerTraceparent] = []string{"00-" + hexString(b[:16]) + "-" + hexString(b[16:]) + "-01"}
}

// validTraceparent checks the version-00 form: 00-<32 hex>-<16 hex>-<2 hex>, ids not all zero.
func validTraceparent(s string) bool {
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
	return !(nonZero && zero)
}

// putRandom fills b from the runtime's per-thread generator: unique enough for request and
// trace ids, and it takes no lock.
func putRandom(b []byte) {
	for i := 0; i+8 <= len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rand.Uint64())
	}
}

func hexString(b []byte) string {
	var buf [64]byte
	n := hex.Encode(buf[:], b)
	return string(buf[:n])
}
