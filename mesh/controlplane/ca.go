package controlplane

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/meshlab/meshlab/mesh/identity"
)

// CA lifetimes and bounds of issued certificates.
const (
	DefaultCertTTL = time.Hour
	MinCertTTL     = 2 * time.Second
	MaxCertTTL     = 24 * time.Hour
	rootLifetime   = 10 * 365 * 24 * time.Hour
	clockSkew      = 5 * time.Second // issued certificates are valid this long before now
)

// CAOptions configure a CA. Zero values mean the defaults.
type CAOptions struct {
	// Dir keeps the root's ca.crt and ca.key, created there when absent, so a restarted
	// control plane signs with the same root; "": an in-memory root for this process only.
	Dir string
	// Token is the run token POST /v1/certs requires; "": no check.
	Token string
	// Now is the clock of validity periods; nil: time.Now.
	Now func() time.Time
	// Logger receives issued certificates; nil discards them.
	Logger *slog.Logger
}

// CA is the mesh's certificate authority: an ECDSA P-256 root that signs short-lived
// workload certificates with SPIFFE IDs in their URI SANs.
type CA struct {
	opts   CAOptions
	log    *slog.Logger
	key    *ecdsa.PrivateKey
	root   *x509.Certificate
	issued atomic.Uint64
}

// NewCA loads the root from opts.Dir, or creates it (and its files) when absent.
func NewCA(opts CAOptions) (*CA, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ca := &CA{opts: opts, log: opts.Logger.With("component", "ca")}
	var err error
	if opts.Dir == "" {
		ca.key, ca.root, err = newRoot(opts.Now())
	} else {
		ca.key, ca.root, err = loadOrCreateRoot(opts.Dir, opts.Now())
	}
	if err != nil {
		return nil, fmt.Errorf("ca: %w", err)
	}
	return ca, nil
}

// newRoot creates a self-signed root.
func newRoot(now time.Time) (*ecdsa.PrivateKey, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generating root key: %w", err)
	}
	td, _ := url.Parse("spiffe://" + identity.TrustDomain)
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"meshlab"}, CommonName: "meshlab root CA"},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(rootLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		URIs:                  []*url.URL{td},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("signing root: %w", err)
	}
	root, err := x509.ParseCertificate(der)
	return key, root, err
}

// RootsPEM returns the trust bundle: the root certificate, PEM.
func (ca *CA) RootsPEM() []byte { return identity.EncodeCertificates(ca.root) }

// Issued counts the certificates signed.
func (ca *CA) Issued() uint64 { return ca.issued.Load() }

// Sign checks csrPEM's signature and signs a certificate for its key with spiffeID as its
// only URI SAN, valid for ttl (0: DefaultCertTTL; clamped to [MinCertTTL, MaxCertTTL]).
func (ca *CA) Sign(csrPEM []byte, spiffeID string, ttl time.Duration) (*x509.Certificate, error) {
	if _, _, err := identity.ParseID(spiffeID); err != nil {
		return nil, err
	}
	b, _ := pem.Decode(csrPEM)
	if b == nil || b.Type != "CERTIFICATE REQUEST" {
		return nil, errors.New("csr: want a PEM CERTIFICATE REQUEST")
	}
	csr, err := x509.ParseCertificateRequest(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("csr: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("csr: %w", err)
	}
	return ca.issue(csr, spiffeID, clampTTL(ttl))
}

func clampTTL(ttl time.Duration) time.Duration {
	if ttl == 0 {
		return DefaultCertTTL
	}
	return min(max(ttl, MinCertTTL), MaxCertTTL)
}

func (ca *CA) issue(csr *x509.CertificateRequest, spiffeID string, ttl time.Duration) (*x509.Certificate, error) {
	id, _ := url.Parse(spiffeID)
	now := ca.opts.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		NotBefore:    now.Add(-clockSkew),
		NotAfter:     now.Add(ttl),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		URIs:         []*url.URL{id},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.root, csr.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	ca.issued.Add(1)
	ca.log.Debug("certificate issued", "spiffe", spiffeID, "ttl", ttl)
	return x509.ParseCertificate(der)
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}
