package controlplane

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawStream is a registration stream driven by hand: the test decides when, and whether, to beat.
type rawStream struct {
	pw     *io.PipeWriter
	resp   *http.Response
	acks   *bufio.Scanner
	first  ack // the server's answer to the instance
	cancel context.CancelFunc
}

// openStream registers inst on a raw stream and reads the first ack. http.Client.Do returning
// while the request body is still open is what the protocol relies on.
func openStream(t *testing.T, url string, inst Instance) *rawStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+pathRegister, pr)
	require.NoError(t, err)
	go writeLine(pw, inst)
	stuck := time.AfterFunc(wait, cancel) // a server that waits for the body's end never answers
	resp, err := newHTTPClient().Do(req)
	require.NoError(t, err)
	stuck.Stop()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	rs := &rawStream{pw: pw, resp: resp, acks: bufio.NewScanner(resp.Body), cancel: cancel}
	t.Cleanup(func() {
		cancel()
		pw.Close()
		resp.Body.Close()
	})
	rs.first = rs.ack(t)
	return rs
}

// ack reads the server's next ack.
func (rs *rawStream) ack(t *testing.T) ack {
	t.Helper()
	require.True(t, rs.acks.Scan(), "stream ended: %v", rs.acks.Err())
	var a ack
	require.NoError(t, json.Unmarshal(rs.acks.Bytes(), &a))
	return a
}

func (rs *rawStream) beat(t *testing.T, hb heartbeat) ack {
	t.Helper()
	require.NoError(t, writeLine(rs.pw, hb))
	return rs.ack(t)
}

// ended waits for the server to end the stream.
func (rs *rawStream) ended(t *testing.T) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		for rs.acks.Scan() {
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatal("server did not end the stream")
	}
}

func TestStreamIsFullDuplex(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{})
	rs := openStream(t, ts.url, instance("user-1", "user"))
	first, _ := ts.cp.store.current()
	not := false
	a := rs.beat(t, heartbeat{Ready: &not})
	assert.Greater(t, a.Version, first.Version, "a readiness change bumps the version")
	b := rs.beat(t, heartbeat{})
	assert.Equal(t, a.Version, b.Version, "a plain heartbeat changes nothing")
}

func TestHeartbeatTTL(t *testing.T) {
	t.Parallel()
	const ttl = 300 * time.Millisecond
	ts := startServer(t, ServerOptions{HeartbeatTTL: ttl})
	rec := watch(t, ts.url)
	start := time.Now()
	rs := openStream(t, ts.url, instance("user-1", "user"))

	// The connection stays open, but no heartbeat comes.
	left := rec.await(t, "user-1 leave", func(s Snapshot) bool {
		return s.Version > rs.first.Version && !has(s, "user-1")
	})
	t.Logf("silent instance removed %v after registering (TTL %v)", left.at.Sub(start), ttl)
	assert.GreaterOrEqual(t, left.at.Sub(start), ttl)
	rs.ended(t)
}

func TestLateHeartbeatsDoNotFlap(t *testing.T) {
	t.Parallel()
	// Scaled down from 1 s beats against a 10 s TTL: every gap is late, none reaches the TTL.
	const ttl = 1600 * time.Millisecond
	ts := startServer(t, ServerOptions{HeartbeatTTL: ttl})
	rs := openStream(t, ts.url, instance("user-1", "user"))
	rec := watch(t, ts.url)
	rec.await(t, "user-1", func(s Snapshot) bool { return has(s, "user-1") })
	for _, gap := range []time.Duration{300, 1000, 1000, 1000} {
		time.Sleep(gap * time.Millisecond)
		rs.beat(t, heartbeat{})
	}
	for _, s := range rec.all() {
		assert.True(t, has(s.snap, "user-1"), "version %d lost user-1", s.snap.Version)
	}
	assert.True(t, has(ts.cp.Snapshot(), "user-1"))
}

func TestReRegistrationReplaces(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{})
	older := openStream(t, ts.url, instance("user-1", "user"))
	newer := instance("user-1", "user")
	newer.Addr = "127.0.0.1:2"
	openStream(t, ts.url, newer)
	assert.Equal(t, []Instance{newer}, ts.cp.Snapshot().Services["user"], "one instance, the newer")

	// The older stream ending must not take the newer registration with it.
	require.NoError(t, older.pw.Close())
	older.ended(t)
	assert.Equal(t, []Instance{newer}, ts.cp.Snapshot().Services["user"])
}

func TestRegisterRejectsBadInstance(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{})
	tests := []struct {
		name, body, want string
	}{
		{name: "not json", body: "hello\n", want: "decoding instance"},
		{name: "no id", body: `{"service":"user","addr":"127.0.0.1:1"}` + "\n", want: "id is empty"},
		{name: "empty", body: "{}\n", want: "service is empty"},
		{name: "no line", body: "", want: "reading instance: EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := http.Post(ts.url+pathRegister, "application/x-ndjson", strings.NewReader(tt.body))
			require.NoError(t, err)
			defer resp.Body.Close()
			msg, _ := io.ReadAll(resp.Body)
			assert.GreaterOrEqual(t, resp.StatusCode, 400)
			assert.True(t, resp.Close, "a registration's connection is never reused")
			assert.Contains(t, string(msg), tt.want)
		})
	}
}
