package adminapi

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// TokenHeader carries the run token on admin requests ("Authorization: Bearer <token>" also works).
const TokenHeader = "X-Meshlab-Token"

// RequireToken guards an admin handler: requests without the run token get 401. An empty token
// disables the check (a meshd started by hand).
func RequireToken(token string, h http.Handler) http.Handler {
	if token == "" {
		return h
	}
	want := []byte(token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get(TokenHeader)
		if got == "" {
			got = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		}
		if subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			http.Error(w, `{"error":"missing or wrong run token"}`, http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}
