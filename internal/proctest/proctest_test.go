package proctest

import (
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeadAddr: connecting is refused at once, and no listener can take the port until it is
// released (Go's listeners set SO_REUSEADDR, which a closed listener's port would not stop).
func TestDeadAddr(t *testing.T) {
	addr, release, err := DeadAddr()
	require.NoError(t, err)

	_, err = net.DialTimeout("tcp", addr, time.Second)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	_, err = net.Listen("tcp", addr)
	assert.ErrorIs(t, err, syscall.EADDRINUSE, "the port is kept")

	release()
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err, "free once released")
	ln.Close()
}

// TestDeadAddrFor: the address stays dead while the test runs and is released when it ends.
func TestDeadAddrFor(t *testing.T) {
	var addr string
	t.Run("test", func(t *testing.T) {
		addr = DeadAddrFor(t)
		_, err := net.DialTimeout("tcp", addr, time.Second)
		assert.ErrorIs(t, err, syscall.ECONNREFUSED)
		_, err = net.Listen("tcp", addr)
		assert.ErrorIs(t, err, syscall.EADDRINUSE, "kept while the test runs")
	})
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err, "released when the test ended")
	ln.Close()
}
