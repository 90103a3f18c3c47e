package netfault

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBandwidthSharedByConnections(t *testing.T) {
	t.Parallel()
	e := newTestEngine()
	require.NoError(t, e.Set([]Rule{{Name: "bw",
		Bandwidth: &Bandwidth{Rate: 1_000_000, Limit: 1 << 20, Buffer: 10_000}}}))
	ln := listen(t, "127.0.0.1", e)
	meshtest.ServeConns(t, ln, func(c net.Conn) { // stream until the client goes
		buf := make([]byte, 32<<10)
		for {
			if _, err := c.Write(buf); err != nil {
				return
			}
		}
	})

	const window = 2 * time.Second
	var total atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		c, err := dialFrom("127.0.0.9")(ctxTimeout(t, 10*time.Second), "tcp", ln.Addr().String())
		require.NoError(t, err)
		defer c.Close()
		wg.Go(func() { total.Add(readFor(c, window)) })
	}
	wg.Wait()
	rate := float64(total.Load()) / window.Seconds()
	assert.InEpsilon(t, 1_000_000, rate, 0.15, "bytes/s across 4 connections")
	assert.Positive(t, e.Stats().Rules[0].ThrottledBytes)
}

// readFor counts the bytes read from c during d.
func readFor(c net.Conn, d time.Duration) int64 {
	_ = c.SetReadDeadline(time.Now().Add(d))
	n, _ := io.Copy(io.Discard, c)
	return n
}

func TestBucket(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	b := newBucket(Bandwidth{Rate: 1000, Buffer: 100, Limit: 200}, now)
	for _, tc := range []struct {
		name string
		at   time.Duration
		n    int
		wait time.Duration
		ok   bool
	}{
		{name: "burst from a full bucket", n: 100, ok: true},
		{name: "waits for tokens", n: 100, wait: 100 * time.Millisecond, ok: true},
		{name: "queue of 200 bytes", n: 100, wait: 200 * time.Millisecond, ok: true},
		{name: "over the limit drops", n: 100, ok: false},
		{name: "refills at the rate", at: 300 * time.Millisecond, n: 100, ok: true},
		{name: "never above the buffer", at: 10 * time.Second, n: 150, wait: 50 * time.Millisecond, ok: true},
	} {
		wait, ok := b.take(tc.n, now.Add(tc.at))
		assert.Equal(t, tc.ok, ok, tc.name)
		assert.InDelta(t, tc.wait, wait, float64(time.Millisecond), tc.name)
	}
}
