package identity_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/identitytest"
	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/identity"
)

func TestMTLSValidClientSeesIdentity(t *testing.T) {
	t.Parallel()
	ca := identitytest.StartCA(t)
	payment := identitytest.Source(t, ca.URL(), "payment", 0)
	order := identitytest.Source(t, ca.URL(), "order", 0)
	addr := serveTLS(t, payment.ServerConfig(), peerID)

	got, err := get(meshtest.TLSClient(order.ClientConfig("payment"), true), "https://"+addr+"/")
	require.NoError(t, err)
	assert.Equal(t, identity.ID(identitytest.Namespace, "order"), got)
	assert.Equal(t, "spiffe://meshlab.local/ns/default/sa/order", order.ID())
}

func TestMTLSRefusesClients(t *testing.T) {
	t.Parallel()
	ca := identitytest.StartCA(t)
	payment := identitytest.Source(t, ca.URL(), "payment", 0)
	addr := serveTLS(t, payment.ServerConfig(), peerID)

	for _, s := range identitytest.Strangers(t, addr, "payment") {
		t.Run(s.Name, func(t *testing.T) {
			// Go's TLS server answers a plain HTTP request with a 400 of its own; the handler
			// never runs.
			resp, err := s.Client.Get(s.URL)
			if err == nil {
				resp.Body.Close()
				assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			}
		})
	}
}

func TestClientRejectsWrongServerIdentity(t *testing.T) {
	t.Parallel()
	ca := identitytest.StartCA(t)
	product := identitytest.Source(t, ca.URL(), "product", 0)
	order := identitytest.Source(t, ca.URL(), "order", 0)
	addr := serveTLS(t, product.ServerConfig(), peerID)

	_, err := get(meshtest.TLSClient(order.ClientConfig("payment"), false), "https://"+addr+"/")
	require.Error(t, err)
	assert.Contains(t, err.Error(), identity.ID(identitytest.Namespace, "product"))

	_, err = get(meshtest.TLSClient(order.ClientConfig("product"), false), "https://"+addr+"/")
	assert.NoError(t, err, "the right service is accepted")
}

func TestNewRejectsBadNames(t *testing.T) {
	t.Parallel()
	_, err := identity.New(identity.Options{CAURL: "http://x", Namespace: "default", Service: "Bad/Name"})
	assert.ErrorIs(t, err, identity.ErrBadID)
	_, err = identity.New(identity.Options{Namespace: "default", Service: "user"})
	assert.Error(t, err)
}

func TestParseID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id      string
		ns, svc string
		ok      bool
	}{
		{"spiffe://meshlab.local/ns/default/sa/payment", "default", "payment", true},
		{"spiffe://other.domain/ns/default/sa/payment", "", "", false},
		{"spiffe://meshlab.local/ns/default/payment", "", "", false},
		{"https://meshlab.local/ns/default/sa/payment", "", "", false},
		{"spiffe://meshlab.local/ns/default/sa/payment/x", "", "", false},
	}
	for _, tt := range tests {
		ns, svc, err := identity.ParseID(tt.id)
		assert.Equal(t, tt.ok, err == nil, tt.id)
		assert.Equal(t, tt.ns, ns)
		assert.Equal(t, tt.svc, svc)
	}
}

func TestRotationKeepsOldCertWhileCADown(t *testing.T) {
	t.Parallel()
	ca := identitytest.StartCA(t)
	src := identitytest.Source(t, ca.URL(), "payment", 4*time.Second)
	client := identitytest.Source(t, ca.URL(), "order", time.Hour)
	addr := serveTLS(t, src.ServerConfig(), peerID)

	ca.Stop()
	old := src.Certificate()
	expires := old.Leaf.NotAfter
	require.Eventually(t, func() bool { return src.Stats().RotationFailures >= 3 }, wait, 50*time.Millisecond,
		"renewal retries while the CA is down")
	assert.Same(t, old, src.Certificate(), "the old certificate keeps serving")
	if time.Until(expires) > 200*time.Millisecond {
		_, err := get(meshtest.TLSClient(client.ClientConfig("payment"), false), "https://"+addr+"/")
		assert.NoError(t, err, "handshakes succeed with the old certificate before it expires")
	}

	ca.Start(t)
	require.Eventually(t, func() bool { return src.Certificate() != old }, wait, 50*time.Millisecond,
		"renewed once the CA is back")
	_, err := get(meshtest.TLSClient(client.ClientConfig("payment"), false), "https://"+addr+"/")
	assert.NoError(t, err)
}

// TestMTLSResumesSessions: a second connection to the same server resumes the first one's TLS
// session (no certificate signing or chain verification), and the server still sees the
// client's identity on it, which authorization relies on.
func TestMTLSResumesSessions(t *testing.T) {
	t.Parallel()
	ca := identitytest.StartCA(t)
	payment := identitytest.Source(t, ca.URL(), "payment", 0)
	order := identitytest.Source(t, ca.URL(), "order", 0)
	addr := serveTLS(t, payment.ServerConfig(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := identity.PeerIdentity(r.TLS)
		fmt.Fprintf(w, "%s resumed=%t", id, r.TLS.DidResume)
	}))

	c := meshtest.TLSClient(order.ClientConfig("payment"), false) // a new connection per request
	first, err := get(c, "https://"+addr+"/")
	require.NoError(t, err)
	second, err := get(c, "https://"+addr+"/")
	require.NoError(t, err)
	assert.Equal(t, identity.ID(identitytest.Namespace, "order")+" resumed=false", first)
	assert.Equal(t, identity.ID(identitytest.Namespace, "order")+" resumed=true", second)
}

// TestMTLSDoesNotResumeNearServerExpiry: a client does not offer a session whose server
// certificate is about to expire. A resumed handshake carries the certificate of the session's
// first handshake; offered just before it expires, it would be refused once it expired during
// the handshake, and the request would fail (CI saw it once with 3 s certificates).
func TestMTLSDoesNotResumeNearServerExpiry(t *testing.T) {
	t.Parallel()
	ca := identitytest.StartCA(t)
	payment := identitytest.Source(t, ca.URL(), "payment", 0)
	var ahead atomic.Int64 // how far the client's clock runs ahead of the real one
	order, err := identity.New(identity.Options{CAURL: ca.URL(), Token: identitytest.Token, Namespace: identitytest.Namespace,
		Service: "order", Now: func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }})
	require.NoError(t, err)
	require.NoError(t, order.Rotate(t.Context())) // no Run: its renewals would follow the moved clock

	url := "https://" + serveTLS(t, payment.ServerConfig(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "resumed=%t", r.TLS.DidResume)
	})) + "/"
	c := meshtest.TLSClient(order.ClientConfig("payment"), false)

	expires := payment.Certificate().Leaf.NotAfter
	for _, tt := range []struct {
		name    string
		left    time.Duration // the server certificate's life left on the client's clock
		resumed bool
	}{
		{"first connection", 0, false},
		{"an hour left", 0, true},
		{"ten seconds left", 10 * time.Second, true},
		{"half a second left", 500 * time.Millisecond, false},
	} {
		if tt.left > 0 {
			ahead.Store(int64(time.Until(expires) - tt.left))
		}
		got, err := get(c, url)
		require.NoError(t, err, tt.name)
		assert.Equal(t, fmt.Sprintf("resumed=%t", tt.resumed), got, tt.name)
	}
}
