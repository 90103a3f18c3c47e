package gateway

import (
	"encoding/hex"
	"net/http"

	"github.com/meshlab/meshlab/mesh/tracectx"
)

// Headers the gateway sets on the way in.
const (
	headerRequestID = "X-Request-Id"
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
	tracectx.PutRandom(b[:])
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

func hexString(b []byte) string {
	var buf [64]byte
	n := hex.Encode(buf[:], b)
	return string(buf[:n])
}
