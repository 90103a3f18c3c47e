package gateway_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/gateway"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// chunked hides a body's length, so the client sends it chunked.
type chunked struct{ io.Reader }

func TestSizeLimit(t *testing.T) {
	t.Parallel()
	box := newBox(policy.GatewayPolicy{MaxRequestBytes: 100})
	var reached atomic.Int32
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		b, err := io.ReadAll(r.Body)
		if err != nil { // as the proxy answers a body it could not send
			proxy.WriteError(w, http.StatusBadGateway, "upstream-error", err.Error())
			return
		}
		w.Write(b)
	})
	srv := httptest.NewServer(gateway.SizeLimit(box.get)(echo))
	t.Cleanup(srv.Close)
	tests := []struct {
		name    string
		body    io.Reader
		want    int
		reaches bool
	}{
		{"content-length over", strings.NewReader(strings.Repeat("x", 101)), http.StatusRequestEntityTooLarge, false},
		{"content-length at the limit", strings.NewReader(strings.Repeat("x", 100)), http.StatusOK, true},
		{"chunked over", chunked{strings.NewReader(strings.Repeat("x", 5000))}, http.StatusRequestEntityTooLarge, true},
		{"chunked under", chunked{strings.NewReader(strings.Repeat("x", 60))}, http.StatusOK, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := reached.Load()
			resp, err := http.Post(srv.URL+"/orders", "text/plain", tt.body)
			require.NoError(t, err)
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tt.want, resp.StatusCode, string(b))
			assert.Equal(t, tt.reaches, reached.Load() > before)
			if tt.want == http.StatusRequestEntityTooLarge {
				assert.Equal(t, gateway.ReasonTooLarge, resp.Header.Get("X-Meshlab-Reason"))
				assert.Contains(t, string(b), `"error"`)
			}
		})
	}
}
