package cni

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A real TLS server on port 0 answers as the API server would.
func TestAPILister(t *testing.T) {
	t.Parallel()
	const nodes = `{"kind":"NodeList","items":[
	 {"metadata":{"name":"cp"},"spec":{"podCIDR":"10.244.0.0/24","podCIDRs":["10.244.0.0/24"]},
	  "status":{"addresses":[{"type":"Hostname","address":"cp"},{"type":"InternalIP","address":"172.18.0.2"}]}},
	 {"metadata":{"name":"w1"},"spec":{"podCIDR":"10.244.1.0/24"},"status":{"addresses":[{"type":"InternalIP","address":"172.18.0.3"}]}}]}`
	var auth string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		if r.URL.Path != "/api/v1/nodes" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(nodes))
	}))
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.crt")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644))
	token := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(token, []byte("s3cret\n"), 0o600))

	l, err := NewAPILister(srv.URL, ca, token)
	require.NoError(t, err)
	got, err := l.List(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "Bearer s3cret", auth)
	assert.Equal(t, []Node{
		{Name: "cp", InternalIP: "172.18.0.2", PodCIDRs: []string{"10.244.0.0/24"}},
		{Name: "w1", InternalIP: "172.18.0.3", PodCIDRs: []string{"10.244.1.0/24"}},
	}, got)

	l.Host = srv.URL + "/wrong"
	_, err = l.List(context.Background())
	assert.ErrorContains(t, err, "404")

	_, err = NewAPILister(srv.URL, token, token)
	assert.ErrorContains(t, err, "no certificate")
}
