package identity

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// CertsPath and CAPath are the control plane's CA endpoints.
const (
	CertsPath = "/v1/certs" // POST a CertRequest, get a CertResponse
	CAPath    = "/v1/ca"    // GET the roots (PEM)
)

// CertRequest asks the CA to sign CSR (PEM) for SpiffeID, valid for TTL (a Go duration;
// empty: the CA's default).
type CertRequest struct {
	CSR      string `json:"csr"`
	SpiffeID string `json:"spiffeID"`
	TTL      string `json:"ttl,omitempty"`
}

// CertResponse carries the signed leaf and the CA's roots, both PEM.
type CertResponse struct {
	Certificate string `json:"certificate"`
	Roots       string `json:"roots"`
}

// ParseCertificates decodes every CERTIFICATE block of PEM data.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for len(data) > 0 {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parsing certificate: %w", err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM certificate")
	}
	return certs, nil
}

// EncodeCertificates writes certs as PEM.
func EncodeCertificates(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}
