package sidecar

import (
	"crypto/tls"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/identitytest"
	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/identity"
	"github.com/meshlab/meshlab/mesh/proxy"
)

func TestStrictInboundRefusesPlainAndForeignClients(t *testing.T) {
	t.Parallel()
	caURL, otherURL := identitytest.StartCA(t).URL(), identitytest.StartCA(t).URL()
	payment := identitytest.Source(t, caURL, "payment", 0)
	stranger := identitytest.Source(t, otherURL, "order", 0)
	addr := serveStrict(t, payment, whoami)

	tests := []struct {
		name   string
		client *http.Client
		url    string
	}{
		{"plain http", &http.Client{Timeout: wait}, "http://" + addr + "/"},
		{"tls without certificate", meshtest.TLSClient(&tls.Config{InsecureSkipVerify: true}, false), "https://" + addr + "/"},
		{"certificate of another CA", meshtest.TLSClient(stranger.ClientConfig("payment"), false), "https://" + addr + "/"},
	}
	for _, tt := range tests {
		code, _, body, err := fetchTLS(tt.client, http.MethodGet, tt.url)
		assert.Error(t, err, "%s: answered %d %q", tt.name, code, body)
	}
	// The server counts a failure after the client saw it.
	assert.Eventually(t, func() bool { return payment.Stats().HandshakeFailures >= uint64(len(tests)) },
		wait, 10*time.Millisecond)
}

func TestMTLSThroughProxyCarriesIdentity(t *testing.T) {
	t.Parallel()
	caURL := identitytest.StartCA(t).URL()
	payment := identitytest.Source(t, caURL, "payment", 0)
	order := identitytest.Source(t, caURL, "order", 0)
	out := mtlsOutbound(t, order, "payment", serveStrict(t, payment, whoami), true)

	code, _, body, err := fetchTLS(http.DefaultClient, http.MethodGet, out+"/payments")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, identity.ID("default", "order"), body)
}

func TestMTLSClientRejectsWrongServerIdentity(t *testing.T) {
	t.Parallel()
	caURL := identitytest.StartCA(t).URL()
	product := identitytest.Source(t, caURL, "product", 0)
	order := identitytest.Source(t, caURL, "order", 0)
	// The table says payment lives where product serves.
	out := mtlsOutbound(t, order, "payment", serveStrict(t, product, whoami), true)

	code, reason, _, err := fetchTLS(http.DefaultClient, http.MethodGet, out+"/payments")
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, proxy.ReasonConnectFailure, reason)
	assert.NotZero(t, order.Stats().HandshakeFailures)
}
