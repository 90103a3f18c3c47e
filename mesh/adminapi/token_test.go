package adminapi

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRequireToken(t *testing.T) {
	t.Parallel()
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, tt := range []struct {
		name, token, header, value string
		want                       int
	}{
		{"header", "tok", TokenHeader, "tok", http.StatusNoContent},
		{"bearer", "tok", "Authorization", "Bearer tok", http.StatusNoContent},
		{"wrong", "tok", TokenHeader, "other", http.StatusUnauthorized},
		{"missing", "tok", "", "", http.StatusUnauthorized},
		{"a prefix is not the token", "tok", TokenHeader, "to", http.StatusUnauthorized},
		{"no token configured: open", "", "", "", http.StatusNoContent},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodGet, Stats, nil)
			if tt.header != "" {
				req.Header.Set(tt.header, tt.value)
			}
			rec := httptest.NewRecorder()
			RequireToken(tt.token, ok).ServeHTTP(rec, req)
			assert.Equal(t, tt.want, rec.Code)
		})
	}
}
