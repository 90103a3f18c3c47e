package netfault

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPartitionHangsExistingConnection(t *testing.T) {
	t.Parallel()
	e := newTestEngine()
	url, hits := httpServer(t, "127.0.0.1", e)
	client := httpClient(t, "127.0.0.10", nil, 500*time.Millisecond)
	get(t, client, url) // a keep-alive connection
	require.NoError(t, e.Set([]Rule{{Name: "p", Targets: host("127.0.0.10"), Partition: true}}))

	start := time.Now()
	_, err := client.Get(url)
	require.Error(t, err)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout(), "hangs to the client's timeout, no reset: %v", err)
	assert.GreaterOrEqual(t, time.Since(start), 500*time.Millisecond)
	assert.EqualValues(t, 1, hits.Load(), "the request never reached the handler")
	assert.Positive(t, e.Stats().Rules[0].Blackholed)
}

func TestPartitionHangsNewDial(t *testing.T) {
	t.Parallel()
	e := newTestEngine()
	addr := echoServer(t, "127.0.0.1", nil)
	require.NoError(t, e.Set([]Rule{{Name: "p", Targets: host("127.0.0.1"), Partition: true}}))
	dial := e.DialContext(dialFrom("127.0.0.11"))

	start := time.Now()
	_, err := dial(ctxTimeout(t, 300*time.Millisecond), "tcp", addr)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var op *net.OpError
	require.ErrorAs(t, err, &op)
	assert.Equal(t, "dial", op.Op, "a connect failure to the proxy")
	assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)

	other := echoServer(t, "127.0.0.12", nil)
	c, err := dial(ctxTimeout(t, 5*time.Second), "tcp", other)
	require.NoError(t, err, "other peers are not partitioned")
	require.NoError(t, c.Close())
}

func TestPartitionRemovedResumesHeldRequest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		server bool // rule on the server (`from` the client) or on the client (`to` the server)
	}{
		{name: "server side", server: true},
		{name: "client side"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srvE, cliE := newTestEngine(), newTestEngine()
			url, hits := httpServer(t, "127.0.0.1", srvE)
			client := httpClient(t, "127.0.0.13", cliE, 0)
			get(t, client, url)
			e, target := cliE, "127.0.0.1"
			if tc.server {
				e, target = srvE, "127.0.0.13"
			}
			require.NoError(t, e.Set([]Rule{{Name: "p", Targets: host(target), Partition: true}}))

			done := make(chan time.Duration, 1)
			go func() { done <- get(t, client, url) }()
			select {
			case <-done:
				t.Fatal("the request passed the partition")
			case <-time.After(300 * time.Millisecond):
			}
			assert.EqualValues(t, 1, hits.Load())
			require.NoError(t, e.Set(nil))
			select {
			case d := <-done:
				assert.GreaterOrEqual(t, d, 300*time.Millisecond)
			case <-time.After(10 * time.Second):
				t.Fatal("the held request did not resume")
			}
			assert.EqualValues(t, 2, hits.Load())
		})
	}
}

func TestPartitionReadDeadline(t *testing.T) {
	t.Parallel()
	e := newTestEngine()
	addr := echoServer(t, "127.0.0.1", nil)
	c, err := e.DialContext(dialFrom("127.0.0.14"))(ctxTimeout(t, 5*time.Second), "tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, e.Set([]Rule{{Name: "p", Partition: true}}))
	_, err = c.Write([]byte("x"))
	require.NoError(t, err, "a write to a partitioned peer is accepted and held")

	read := make(chan error, 1)
	go func() { _, err := c.Read(make([]byte, 1)); read <- err }()
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(50*time.Millisecond)))
	select {
	case err := <-read:
		require.True(t, errors.Is(err, context.DeadlineExceeded) || isTimeout(err), "%v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("a moved read deadline did not end the held read")
	}
	require.NoError(t, c.SetReadDeadline(time.Time{}))
	require.NoError(t, e.Set(nil))
	b := make([]byte, 1)
	_, err = c.Read(b)
	require.NoError(t, err)
	assert.Equal(t, "x", string(b), "held data is delivered once the partition goes")
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
