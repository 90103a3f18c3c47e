package identity_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/identitytest"
	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/identity"
)

// TestRotationUnderLoadFailsNoRequest runs 15 s of requests at 30 rps, half on one kept-alive
// connection, half on a new connection each, while both sides' 3 s certificates rotate.
func TestRotationUnderLoadFailsNoRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("15 s of load")
	}
	t.Parallel()
	ca := identitytest.StartCA(t)
	server := identitytest.Source(t, ca.URL(), "payment", 3*time.Second)
	client := identitytest.Source(t, ca.URL(), "order", 3*time.Second)
	url := "https://" + serveTLS(t, server.ServerConfig(), peerID) + "/"

	want := identity.ID(identitytest.Namespace, "order")
	try := func(keepAlive bool) func() error {
		c := meshtest.TLSClient(client.ClientConfig("payment"), keepAlive)
		return func() error {
			got, err := get(c, url)
			if err == nil && got != want {
				err = fmt.Errorf("answered %q", got)
			}
			return err
		}
	}
	sent, failed := meshtest.Paced(t, 15*time.Second, 15, try(true), try(false))

	t.Logf("sent %d, failed %d, rotations server %d client %d", sent, failed,
		server.Stats().Rotations, client.Stats().Rotations)
	assert.GreaterOrEqual(t, sent, int64(300), "at least 20 rps over 15 s")
	assert.Zero(t, failed)
	assert.GreaterOrEqual(t, server.Stats().Rotations, uint64(3))
	assert.GreaterOrEqual(t, client.Stats().Rotations, uint64(3))
}

func TestStatsBeforeAndAfterFirstCertificate(t *testing.T) {
	t.Parallel()
	ca := identitytest.StartCA(t)
	src := identitytest.Source(t, ca.URL(), "user", time.Minute)
	st := src.Stats()
	require.False(t, st.Expires.IsZero())
	assert.WithinDuration(t, time.Now().Add(time.Minute), st.Expires, 10*time.Second)
	src.HandshakeFailed(nil)
	assert.Equal(t, uint64(1), src.Stats().HandshakeFailures)
}
