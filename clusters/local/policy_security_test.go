package local

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/identity"
	"github.com/meshlab/meshlab/mesh/policy"
)

// strictPolicy is STRICT mTLS with a certTTL of ttl and, when onlyOrder, an authorization
// that lets only order call payment.
func strictPolicy(ttl time.Duration, onlyOrder bool) policy.MeshPolicy {
	p := policy.MeshPolicy{Spec: policy.Spec{Security: policy.SecurityPolicy{
		MTLS: &policy.MTLS{Mode: policy.MTLSStrict, CertTTL: dur(ttl)}}}}
	if onlyOrder {
		p.Spec.Security.Authorization = &policy.Authorization{Default: policy.Allow, Rules: []policy.AuthRule{
			{Action: policy.Allow, From: []string{"order"}, To: "payment"},
			{Action: policy.Deny, From: []string{"*"}, To: "payment"},
		}}
	}
	return p
}

// foreignCert is a self-signed certificate with a mesh SPIFFE ID the mesh's CA never signed.
func foreignCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	id, _ := url.Parse(identity.ID("default", "order"))
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "intruder"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour), URIs: []*url.URL{id},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestPolicyMTLSStrictAuthzAndRotation(t *testing.T) {
	m := needMesh(t)
	const ttl = 10 * time.Second
	applyPolicy(t, m, strictPolicy(ttl, true))
	pay := podByID(t, m, "payment-0")
	inbound := "http://" + pay.sidecar.Addrs()["inbound"] + "/payments"
	failsBefore := statsOf(t, pay.sidecar.Addrs()["admin"]).InboundHandshakeFailures

	// A plain client and a client with another CA's certificate are refused at the inbound port.
	plain := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	_, errPlain := plain.Post(inbound, "application/json", nil)
	assert.Error(t, errPlain, "a plaintext client got an answer from a STRICT sidecar")
	cert := foreignCert(t)
	other := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true,
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true, GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return &cert, nil // presented although the server asked for its own CA
		}}}}
	_, errOther := other.Post("https://"+pay.sidecar.Addrs()["inbound"]+"/payments", "application/json", nil)
	assert.Error(t, errOther, "a client with a foreign CA's certificate got an answer")
	failsAfter := statsOf(t, pay.sidecar.Addrs()["admin"]).InboundHandshakeFailures
	t.Logf("STRICT: plain client: %v; foreign-CA client: %v; payment-0 refused handshakes +%d", errPlain, errOther, failsAfter-failsBefore)
	assert.GreaterOrEqual(t, failsAfter-failsBefore, uint64(2))

	// Only order may call payment: the gateway's direct call is a 403, counted.
	deniedBefore := authzDenied(t, m)
	o := send("POST", m.GatewayURL()+"/payments", payBody, payKey("authz", 0))
	assert.Equal(t, http.StatusForbidden, o.status, "gateway → payment is denied")
	assert.Equal(t, "authz-denied", o.hdr.Get("X-Meshlab-Reason"))
	t.Logf("authz: POST /payments via the gateway → %d (%s); denials counted +%d", o.status, o.hdr.Get("X-Meshlab-Reason"), authzDenied(t, m)-deniedBefore)
	assert.Positive(t, authzDenied(t, m)-deniedBefore)

	// Orders (gateway → order → user, product, payment, all over mTLS) go on through rotations.
	rotBefore := rotations(t, m)
	start := time.Now()
	var outs []outcome
	for time.Since(start) < 25*time.Second {
		outs = append(outs, fire(40, 4, func(i int) outcome {
			return send("POST", m.GatewayURL()+"/orders", orderBody(len(outs)+i), nil)
		})...)
	}
	rot := rotations(t, m) - rotBefore
	bad := count(outs, func(o outcome) bool { return o.status != http.StatusCreated })
	t.Logf("STRICT, certTTL %v: %d orders over %v, %d failed; %d certificate rotations over the mesh (%d workloads)",
		ttl, len(outs), time.Since(start).Round(time.Second), bad, rot, len(m.pods)+1)
	assert.Zero(t, bad, "a rotation failed a request")
	assert.GreaterOrEqual(t, rot, uint64(3*(len(m.pods)+1)), "several rotations per workload")
}

func authzDenied(t *testing.T, m *localMesh) uint64 {
	var n uint64
	for _, p := range m.pods {
		n += statsOf(t, p.sidecar.Addrs()["admin"]).AuthzDenied
	}
	return n
}

func rotations(t *testing.T, m *localMesh) uint64 {
	var n uint64
	for _, a := range adminAddrs(m) {
		n += statsOf(t, a).Identity.Rotations
	}
	return n
}
