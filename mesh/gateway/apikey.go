package gateway

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"

	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// APIKey returns the middleware that, when the policy's APIKeys are Required, admits only
// requests whose X-API-Key is one of the keys; others get 401 with WWW-Authenticate: ApiKey.
// Keys are compared in constant time (as SHA-256 digests, so lengths do not leak either).
func APIKey(get func() *policy.GatewayPolicy) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var ak *policy.APIKeys
			if gp := get(); gp != nil {
				ak = gp.APIKeys
			}
			if ak == nil || !ak.Required {
				next.ServeHTTP(w, r)
				return
			}
			key := r.Header.Get(HeaderAPIKey)
			msg := ""
			switch {
			case key == "":
				msg = "missing " + HeaderAPIKey
			case !knownKey(ak.Keys, key):
				msg = "unknown " + HeaderAPIKey
			default:
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("WWW-Authenticate", "ApiKey")
			proxy.WriteError(w, http.StatusUnauthorized, ReasonUnauthenticated, msg)
		})
	}
}

// knownKey reports whether key is one of keys, looking at every key.
func knownKey(keys []string, key string) bool {
	h := sha256.Sum256([]byte(key))
	found := 0
	for _, k := range keys {
		kh := sha256.Sum256([]byte(k))
		found |= subtle.ConstantTimeCompare(h[:], kh[:])
	}
	return found == 1
}
