package controlplane

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/identity"
)

func testCSR(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

func TestCASignsSPIFFECertificates(t *testing.T) {
	t.Parallel()
	ca, err := NewCA(CAOptions{})
	require.NoError(t, err)
	id := identity.ID("default", "payment")
	tests := []struct {
		name string
		ttl  time.Duration
		want time.Duration
	}{
		{"default ttl", 0, DefaultCertTTL},
		{"short ttl", 10 * time.Second, 10 * time.Second},
		{"below the minimum", time.Second, MinCertTTL},
		{"above the maximum", 48 * time.Hour, MaxCertTTL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now()
			cert, err := ca.Sign(testCSR(t), id, tt.ttl)
			require.NoError(t, err)
			require.Len(t, cert.URIs, 1)
			assert.Equal(t, id, cert.URIs[0].String())
			assert.WithinDuration(t, before.Add(tt.want), cert.NotAfter, 5*time.Second)
			roots, err := identity.ParseCertificates(ca.RootsPEM())
			require.NoError(t, err)
			pool := x509.NewCertPool()
			pool.AddCert(roots[0])
			_, err = cert.Verify(x509.VerifyOptions{Roots: pool,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
			assert.NoError(t, err)
		})
	}
}

func TestCARefusesBadRequests(t *testing.T) {
	t.Parallel()
	ca, err := NewCA(CAOptions{})
	require.NoError(t, err)
	_, err = ca.Sign(testCSR(t), "spiffe://evil.example/ns/default/sa/payment", 0)
	assert.ErrorIs(t, err, identity.ErrBadID)
	_, err = ca.Sign([]byte("not pem"), identity.ID("default", "payment"), 0)
	assert.Error(t, err)
	csr := testCSR(t)
	b, _ := pem.Decode(csr)
	b.Bytes[len(b.Bytes)-3] ^= 0xff // break the signature
	_, err = ca.Sign(pem.EncodeToMemory(b), identity.ID("default", "payment"), 0)
	assert.Error(t, err)
}

func TestCADirKeepsRootAcrossRestarts(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ca")
	first, err := NewCA(CAOptions{Dir: dir})
	require.NoError(t, err)
	info, err := os.Stat(filepath.Join(dir, CAKeyFile))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	second, err := NewCA(CAOptions{Dir: dir})
	require.NoError(t, err)
	assert.Equal(t, first.RootsPEM(), second.RootsPEM())

	require.NoError(t, os.Remove(filepath.Join(dir, CACertFile)))
	_, err = NewCA(CAOptions{Dir: dir})
	assert.Error(t, err, "a key without its certificate is an error, not a new root")
}

func TestServerServesCA(t *testing.T) {
	t.Parallel()
	ca, err := NewCA(CAOptions{Token: "tok"})
	require.NoError(t, err)
	ts := startServer(t, ServerOptions{CA: ca})

	resp, err := http.Get(ts.url + identity.CAPath)
	require.NoError(t, err)
	roots, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, ca.RootsPEM(), roots)

	body, _ := json.Marshal(identity.CertRequest{CSR: string(testCSR(t)),
		SpiffeID: identity.ID("default", "user"), TTL: "10s"})
	post := func(token string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, ts.url+identity.CertsPath, bytes.NewReader(body))
		if token != "" {
			req.Header.Set(adminapi.TokenHeader, token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	assert.Equal(t, http.StatusUnauthorized, post("").StatusCode)
	resp = post("tok")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out identity.CertResponse
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	certs, err := identity.ParseCertificates([]byte(out.Certificate))
	require.NoError(t, err)
	assert.Equal(t, []*url.URL{{Scheme: "spiffe", Host: identity.TrustDomain, Path: "/ns/default/sa/user"}}, certs[0].URIs)
	assert.Equal(t, uint64(1), ca.Issued())
}
