package proctest

import (
	"errors"
	"io"
	"net"
	"os"
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

// TestSilentAddr: a connection is accepted, signalled and never answered; it is closed when the
// test ends.
func TestSilentAddr(t *testing.T) {
	var conn net.Conn
	t.Run("test", func(t *testing.T) {
		addr, accepted := SilentAddr(t)
		var err error
		conn, err = net.DialTimeout("tcp", addr, time.Second)
		require.NoError(t, err)
		select {
		case <-accepted:
		case <-time.After(5 * time.Second):
			t.Fatal("the connection was not signalled")
		}
		_, err = conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
		require.NoError(t, err)
		conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		_, err = conn.Read(make([]byte, 1))
		assert.ErrorIs(t, err, os.ErrDeadlineExceeded, "no answer")
	})
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := conn.Read(make([]byte, 1))
	// closed with the request unread: a reset, or an end of stream if it was read
	assert.True(t, errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF), "closed when the test ended: %v", err)
}
