package identity

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/meshlab/meshlab/mesh/adminapi"
)

// fetch generates a key and a CSR and has the CA sign it.
func (s *Source) fetch(ctx context.Context) (*bundle, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating key: %w", err)
	}
	csr, err := newCSR(key, s.id)
	if err != nil {
		return nil, err
	}
	req := CertRequest{CSR: string(csr), SpiffeID: s.id}
	if ttl := s.ttl(); ttl > 0 {
		req.TTL = ttl.String()
	}
	resp, err := s.post(ctx, req)
	if err != nil {
		return nil, err
	}
	return s.newBundle(key, resp)
}

// newCSR returns a PEM certificate request for id.
func newCSR(key *ecdsa.PrivateKey, id string) ([]byte, error) {
	u, err := url.Parse(id)
	if err != nil {
		return nil, fmt.Errorf("csr uri: %w", err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{URIs: []*url.URL{u}}, key)
	if err != nil {
		return nil, fmt.Errorf("creating csr: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), nil
}

// post sends req to the CA.
func (s *Source) post(ctx context.Context, req CertRequest) (*CertResponse, error) {
	body, _ := json.Marshal(req)
	u := strings.TrimSuffix(s.opts.CAURL, "/") + CertsPath
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("certificate request: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	if s.opts.Token != "" {
		hr.Header.Set(adminapi.TokenHeader, s.opts.Token)
	}
	resp, err := s.opts.Client.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("certificate request: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("certificate response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("certificate request: %s: %s", resp.Status, bytes.TrimSpace(data))
	}
	var out CertResponse
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("certificate response: %w", err)
	}
	return &out, nil
}

// newBundle checks the CA's answer and makes it a bundle.
func (s *Source) newBundle(key *ecdsa.PrivateKey, resp *CertResponse) (*bundle, error) {
	leaves, err := ParseCertificates([]byte(resp.Certificate))
	if err != nil {
		return nil, fmt.Errorf("certificate response: %w", err)
	}
	roots, err := ParseCertificates([]byte(resp.Roots))
	if err != nil {
		return nil, fmt.Errorf("certificate response roots: %w", err)
	}
	pool, roots := mergeRoots(nil, roots)
	leaf := leaves[0]
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: s.opts.Now(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return nil, fmt.Errorf("issued certificate: %w", err)
	}
	chain := make([][]byte, len(leaves))
	for i, c := range leaves {
		chain[i] = c.Raw
	}
	cert := &tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: leaf}
	now := s.opts.Now()
	return &bundle{cert: cert, roots: pool, certs: roots, renewAt: now.Add(leaf.NotAfter.Sub(now) / 2)}, nil
}

// ttl is the lifetime to ask for: TTLFunc's when set, else TTL.
func (s *Source) ttl() time.Duration {
	if s.opts.TTLFunc != nil {
		return s.opts.TTLFunc()
	}
	return s.opts.TTL
}
