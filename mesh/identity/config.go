package identity

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// resumeMargin is how long before its server certificate expires a client stops offering a
// TLS session: more than a resumed handshake takes on a loaded host.
const resumeMargin = time.Second

// ErrNoCertificate is returned by a handshake before the first certificate arrived.
var ErrNoCertificate = errors.New("identity: no certificate yet")

// ServerConfig returns the config of an inbound mTLS listener: it presents the current
// certificate and requires a client certificate the current roots verify, carrying a mesh
// SPIFFE ID. Every handshake reads the current bundle, so rotations need no restart.
func (s *Source) ServerConfig() *tls.Config { return s.serverCfg }

func (s *Source) newServerConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS13,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			b := s.cur.Load()
			if b == nil {
				return nil, ErrNoCertificate
			}
			return b.server, nil
		},
	}
}

// bundleServerConfig is the config of handshakes while b is current.
func (s *Source) bundleServerConfig(b *bundle) *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS13,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return s.current() },
		ClientAuth:     tls.RequireAndVerifyClientCert,
		ClientCAs:      b.roots,
		Time:           s.opts.Now,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if id, _ := PeerIdentity(&cs); id == "" {
				return errors.New("client certificate has no mesh SPIFFE ID")
			}
			return nil
		},
	}
}

// ClientConfig returns the config of outbound mTLS connections to service: it presents the
// current certificate and accepts only a server whose certificate the current roots verify
// and whose URI SAN is ID(namespace, service). It keeps TLS 1.3 session tickets per endpoint,
// as Envoy does upstream, so a new connection to an endpoint seen before resumes instead of
// signing and verifying certificates again. A resumption stays as strict as a full handshake:
// this side re-verifies the server (VerifyConnection runs on resumed connections too), and the
// server resumes only while the client's certificate and its chain are still valid under the
// server's current roots (crypto/tls checks both). A session is no longer offered in the last
// resumeMargin of its server certificate's life.
func (s *Source) ClientConfig(service string) *tls.Config {
	if c, ok := s.clientCfgs.Load(service); ok {
		return c.(*tls.Config)
	}
	want := ID(s.opts.Namespace, service)
	c := &tls.Config{
		MinVersion:         tls.VersionTLS13,
		InsecureSkipVerify: true, // VerifyConnection verifies the chain and the SPIFFE ID instead of a host name
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return s.current()
		},
		VerifyConnection:   func(cs tls.ConnectionState) error { return s.verifyServer(cs, want) },
		ClientSessionCache: tls.NewLRUClientSessionCache(0),
		// crypto/tls offers a cached session only while the server certificate it carries
		// has not expired by Time; verifyServer checks it again once the handshake is done.
		// Running Time resumeMargin ahead keeps a session that expires in between from being
		// offered: it would resume on a valid certificate and fail on an expired one. With
		// InsecureSkipVerify, crypto/tls reads Time for nothing else but session ages.
		Time: func() time.Time { return s.opts.Now().Add(resumeMargin) },
	}
	got, _ := s.clientCfgs.LoadOrStore(service, c)
	return got.(*tls.Config)
}

// verifyServer checks the server's chain against the current roots and its ID against want.
func (s *Source) verifyServer(cs tls.ConnectionState, want string) error {
	b := s.cur.Load()
	if b == nil {
		return ErrNoCertificate
	}
	if len(cs.PeerCertificates) == 0 {
		return errors.New("server presented no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: b.roots, Intermediates: inter, CurrentTime: s.opts.Now(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
		return fmt.Errorf("server certificate: %w", err)
	}
	if id, _ := PeerIdentity(&cs); id != want {
		return fmt.Errorf("server identity %q, want %q", id, want)
	}
	return nil
}

func (s *Source) current() (*tls.Certificate, error) {
	if b := s.cur.Load(); b != nil {
		return b.cert, nil
	}
	return nil, ErrNoCertificate
}
