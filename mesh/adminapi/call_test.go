package adminapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// to is a transport that sends every request to srv with the token, as a backend's does.
func to(srv *httptest.Server, token string) http.RoundTripper {
	return roundTrip(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.URL.Host = srv.Listener.Addr().String()
		r.Header.Set(TokenHeader, token)
		return http.DefaultTransport.RoundTrip(r)
	})
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestCall(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(RequireToken("tok", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case Stress:
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"method": r.Method, "type": r.Header.Get("Content-Type"), "body": string(b)})
		default:
			http.Error(w, "nope", http.StatusNotFound)
		}
	})))
	defer srv.Close()
	ctx := context.Background()
	var got map[string]string
	require.NoError(t, Call(ctx, to(srv, "tok"), http.MethodPut, Stress, map[string]int{"workers": 1}, &got))
	assert.Equal(t, map[string]string{"method": "PUT", "type": "application/json", "body": `{"workers":1}`}, got)
	require.NoError(t, Call(ctx, to(srv, "tok"), http.MethodDelete, Stress, nil, nil), "no body, answer discarded")

	err := Call(ctx, to(srv, "tok"), http.MethodGet, Config, nil, nil)
	assert.ErrorContains(t, err, "GET /v1/config: 404 Not Found: nope")
	err = Call(ctx, to(srv, "wrong"), http.MethodGet, Stress, nil, nil)
	assert.ErrorContains(t, err, "401")
}
