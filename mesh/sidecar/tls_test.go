package sidecar

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/identitytest"
	"github.com/meshlab/meshlab/mesh/identity"
	"github.com/meshlab/meshlab/mesh/proxy"
)

func TestStrictInboundRefusesPlainAndForeignClients(t *testing.T) {
	t.Parallel()
	payment := identitytest.Source(t, identitytest.StartCA(t).URL(), "payment", 0)
	addr := serveStrict(t, payment, whoami)

	strangers := identitytest.Strangers(t, addr, "payment")
	for _, s := range strangers {
		code, _, body, err := fetchTLS(s.Client, http.MethodGet, s.URL)
		assert.Error(t, err, "%s: answered %d %q", s.Name, code, body)
	}
	// The server counts a failure after the client saw it.
	assert.Eventually(t, func() bool { return payment.Stats().HandshakeFailures >= uint64(len(strangers)) },
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
