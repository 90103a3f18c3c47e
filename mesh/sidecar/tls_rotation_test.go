package sidecar

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/meshlab/meshlab/internal/identitytest"
	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/identity"
)

// TestRotationThroughSidecarsFailsNoRequest sends 30 rps for 15 s through an mTLS outbound
// proxy to a STRICT inbound listener, half on kept-alive connections, half on a new
// connection per request, while both sides' 4 s certificates rotate.
func TestRotationThroughSidecarsFailsNoRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("15 s of load")
	}
	t.Parallel()
	caURL := identitytest.StartCA(t).URL()
	payment := identitytest.Source(t, caURL, "payment", 4*time.Second)
	order := identitytest.Source(t, caURL, "order", 4*time.Second)
	addr := serveStrict(t, payment, whoami)
	want := identity.ID("default", "order")

	try := func(keepAlive bool) func() error {
		url := mtlsOutbound(t, order, "payment", addr, keepAlive) + "/payments"
		return func() error {
			code, reason, body, err := fetchTLS(http.DefaultClient, http.MethodGet, url)
			if err == nil && (code != http.StatusOK || body != want) {
				err = fmt.Errorf("%d %s %q", code, reason, body)
			}
			return err
		}
	}
	sent, failed := meshtest.Paced(t, 15*time.Second, 15, try(true), try(false))
	t.Logf("sent %d, failed %d, rotations payment %d order %d", sent, failed,
		payment.Stats().Rotations, order.Stats().Rotations)
	assert.GreaterOrEqual(t, sent, int64(300))
	assert.Zero(t, failed)
	assert.GreaterOrEqual(t, payment.Stats().Rotations, uint64(3))
	assert.GreaterOrEqual(t, order.Stats().Rotations, uint64(3))
	assert.Zero(t, payment.Stats().HandshakeFailures)
	assert.Zero(t, order.Stats().HandshakeFailures)
}
