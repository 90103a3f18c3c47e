package gateway_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/meshlab/meshlab/mesh/gateway"
	"github.com/meshlab/meshlab/mesh/policy"
)

func TestAPIKey(t *testing.T) {
	t.Parallel()
	required := newBox(policy.GatewayPolicy{APIKeys: &policy.APIKeys{Required: true, Keys: []string{"k1", "key-two"}}})
	optional := newBox(policy.GatewayPolicy{APIKeys: &policy.APIKeys{Keys: []string{"k1"}}})
	tests := []struct {
		name, key string
		box       *policyBox
		want      int
	}{
		{"missing", "", required, http.StatusUnauthorized},
		{"unknown", "k2", required, http.StatusUnauthorized},
		{"prefix of a key", "key", required, http.StatusUnauthorized},
		{"known", "key-two", required, http.StatusOK},
		{"not required", "", optional, http.StatusOK},
		{"no policy", "", newBox(policy.GatewayPolicy{}), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := serve(gateway.APIKey(tt.box.get)(okHandler), "GET", "/users/1", tt.key, "")
			assert.Equal(t, tt.want, w.Code)
			if tt.want == http.StatusUnauthorized {
				assert.Equal(t, "ApiKey", w.Header().Get("WWW-Authenticate"))
				assert.Equal(t, gateway.ReasonUnauthenticated, w.Header().Get("X-Meshlab-Reason"))
				assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
			}
		})
	}
}
