package identity_test

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/identity"
)

// TestRotationUnderLoadFailsNoRequest runs 15 s of requests at 30 rps, half on one kept-alive
// connection, half on a new connection each, while both sides' 3 s certificates rotate.
func TestRotationUnderLoadFailsNoRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("15 s of load")
	}
	t.Parallel()
	ca := startCA(t)
	server := newSource(t, ca, "payment", 3*time.Second)
	client := newSource(t, ca, "order", 3*time.Second)
	url := "https://" + serveMTLS(t, server.ServerConfig()) + "/"

	var sent, failed atomic.Int64
	var wg sync.WaitGroup
	for _, keepAlive := range []bool{true, false} {
		c := mtlsClient(client.ClientConfig("payment"), keepAlive)
		wg.Add(1)
		go func() {
			defer wg.Done()
			load(t, c, url, 15*time.Second, 15, &sent, &failed)
		}()
	}
	wg.Wait()

	t.Logf("sent %d, failed %d, rotations server %d client %d", sent.Load(), failed.Load(),
		server.Stats().Rotations, client.Stats().Rotations)
	assert.GreaterOrEqual(t, sent.Load(), int64(300), "at least 20 rps over 15 s")
	assert.Zero(t, failed.Load())
	assert.GreaterOrEqual(t, server.Stats().Rotations, uint64(3))
	assert.GreaterOrEqual(t, client.Stats().Rotations, uint64(3))
}

// load sends rps requests a second for d and counts failures.
func load(t *testing.T, c *http.Client, url string, d time.Duration, rps int,
	sent, failed *atomic.Int64) {
	tick := time.NewTicker(time.Second / time.Duration(rps))
	defer tick.Stop()
	end := time.Now().Add(d)
	want := identity.ID(testNS, "order")
	for now := range tick.C {
		if now.After(end) {
			return
		}
		sent.Add(1)
		got, err := get(c, url)
		if err != nil || got != want {
			failed.Add(1)
			t.Logf("request failed: %v (%q)", err, got)
		}
	}
}

func TestStatsBeforeAndAfterFirstCertificate(t *testing.T) {
	t.Parallel()
	ca := startCA(t)
	src := newSource(t, ca, "user", time.Minute)
	st := src.Stats()
	require.False(t, st.Expires.IsZero())
	assert.WithinDuration(t, time.Now().Add(time.Minute), st.Expires, 10*time.Second)
	src.HandshakeFailed(nil)
	assert.Equal(t, uint64(1), src.Stats().HandshakeFailures)
}
