package controlplane

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/meshlab/meshlab/mesh/identity"
)

// Files of a CA directory.
const (
	CACertFile = "ca.crt"
	CAKeyFile  = "ca.key"
)

// loadOrCreateRoot reads the root from dir; when neither file exists it creates the root and
// writes both (the key readable by its owner only).
func loadOrCreateRoot(dir string, now time.Time) (*ecdsa.PrivateKey, *x509.Certificate, error) {
	certPath, keyPath := filepath.Join(dir, CACertFile), filepath.Join(dir, CAKeyFile)
	certPEM, errC := os.ReadFile(certPath)
	keyPEM, errK := os.ReadFile(keyPath)
	switch {
	case errC == nil && errK == nil:
		return parseRoot(certPEM, keyPEM)
	case errors.Is(errC, fs.ErrNotExist) && errors.Is(errK, fs.ErrNotExist):
		return createRoot(dir, now)
	case errC != nil && !errors.Is(errC, fs.ErrNotExist):
		return nil, nil, errC
	case errK != nil && !errors.Is(errK, fs.ErrNotExist):
		return nil, nil, errK
	default:
		return nil, nil, fmt.Errorf("%s holds only one of %s and %s", dir, CACertFile, CAKeyFile)
	}
}

func parseRoot(certPEM, keyPEM []byte) (*ecdsa.PrivateKey, *x509.Certificate, error) {
	certs, err := identity.ParseCertificates(certPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", CACertFile, err)
	}
	b, _ := pem.Decode(keyPEM)
	if b == nil || b.Type != "EC PRIVATE KEY" {
		return nil, nil, fmt.Errorf("%s: want a PEM EC PRIVATE KEY", CAKeyFile)
	}
	key, err := x509.ParseECPrivateKey(b.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", CAKeyFile, err)
	}
	if !key.PublicKey.Equal(certs[0].PublicKey) {
		return nil, nil, fmt.Errorf("%s does not match %s", CAKeyFile, CACertFile)
	}
	return key, certs[0], nil
}

func createRoot(dir string, now time.Time) (*ecdsa.PrivateKey, *x509.Certificate, error) {
	key, root, err := newRoot(now)
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	if err := writeFileAtomic(filepath.Join(dir, CAKeyFile), keyPEM, 0o600); err != nil {
		return nil, nil, err
	}
	certPEM := identity.EncodeCertificates(root)
	if err := writeFileAtomic(filepath.Join(dir, CACertFile), certPEM, 0o644); err != nil {
		return nil, nil, err
	}
	return key, root, nil
}

// writeFileAtomic writes data to a temporary file beside path and renames it into place.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
