package meshtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/proctest"
)

// TestLogger: silent unless the test runs verbose.
func TestLogger(t *testing.T) {
	assert.Equal(t, testing.Verbose(), Logger(t).Enabled(context.Background(), slog.LevelDebug))
}

// echo answers 202 with the request's method, Host, X-Test headers and body, as JSON.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.Header().Set("X-Seen", "yes")
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(echoed{Method: r.Method, Host: r.Host, Body: string(b), Test: r.Header.Values("X-Test")})
})

type echoed struct {
	Method, Host, Body string
	Test               []string
}

// TestDo: the method, body and every header value arrive; the answer is read whole; DoRequest
// sends a request as it is, its Host included.
func TestDo(t *testing.T) {
	t.Parallel()
	url := Serve(t, echo)
	a := Do(t, http.MethodPost, url, "hello", http.Header{"X-Test": {"a", "b"}})
	assert.Equal(t, http.StatusAccepted, a.Code)
	assert.Equal(t, "yes", a.Header.Get("X-Seen"))
	var got echoed
	a.Decode(t, &got)
	assert.Equal(t, echoed{Method: "POST", Host: strings.TrimPrefix(url, "http://"), Body: "hello", Test: []string{"a", "b"}}, got)

	req := NewRequest(t, http.MethodGet, url, "", nil)
	req.Host = "payment"
	got = echoed{}
	DoRequest(t, req).Decode(t, &got)
	assert.Equal(t, echoed{Method: "GET", Host: "payment"}, got)
	got = echoed{}
	Get(t, url).Decode(t, &got)
	assert.Equal(t, "GET", got.Method)
}

// TestFetchReturnsItsError: a refused connection is an error, not a failed test.
func TestFetchReturnsItsError(t *testing.T) {
	t.Parallel()
	_, err := Fetch(Client, http.MethodGet, "http://"+proctest.DeadAddrFor(t)+"/")
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	_, err = Fetch(Client, "BAD METHOD", "http://x/")
	assert.Error(t, err)
}

// TestServersEndWithTheTest: what Serve, Listen with ServeOn, and ServeConns started answers
// while the test runs and refuses connections once it ended.
func TestServersEndWithTheTest(t *testing.T) {
	t.Parallel()
	var served, onAddr, connAddr string
	t.Run("test", func(t *testing.T) {
		served = Serve(t, echo)
		onAddr = ServeOn(t, Listen(t, "127.0.0.1:0"), &http.Server{Handler: echo})
		ln := Listen(t, "127.0.0.1:0")
		connAddr = ln.Addr().String()
		ServeConns(t, ln, func(c net.Conn) { io.Copy(c, c) })

		assert.Equal(t, http.StatusAccepted, Get(t, served).Code)
		assert.Equal(t, http.StatusAccepted, Get(t, "http://"+onAddr).Code)
		c, err := net.DialTimeout("tcp", connAddr, Wait)
		require.NoError(t, err)
		defer c.Close()
		_, err = c.Write([]byte("ping"))
		require.NoError(t, err)
		b := make([]byte, 4)
		_, err = io.ReadFull(c, b)
		require.NoError(t, err)
		assert.Equal(t, "ping", string(b), "echoed")
	})
	for _, addr := range []string{strings.TrimPrefix(served, "http://"), onAddr, connAddr} {
		_, err := net.DialTimeout("tcp", addr, Wait)
		assert.ErrorIs(t, err, syscall.ECONNREFUSED, addr)
	}
}

// TestServeConnsClosesEachConnection: a connection is closed when its handler returns.
func TestServeConnsClosesEachConnection(t *testing.T) {
	t.Parallel()
	ln := Listen(t, "127.0.0.1:0")
	ServeConns(t, ln, func(c net.Conn) { c.Write([]byte("x")) })
	c, err := net.DialTimeout("tcp", ln.Addr().String(), Wait)
	require.NoError(t, err)
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(Wait))
	b, err := io.ReadAll(c)
	require.NoError(t, err, "an end of stream")
	assert.Equal(t, "x", string(b))
}

// TestPaced: each loop makes rps calls a second for d, all loops at once; the calls and the
// failures are summed.
func TestPaced(t *testing.T) {
	t.Parallel()
	var ok, bad int
	start := time.Now()
	sent, failed := Paced(t, 500*time.Millisecond, 20,
		func() error { ok++; return nil },
		func() error { bad++; return fmt.Errorf("call %d", bad) })
	took := time.Since(start)
	assert.EqualValues(t, ok+bad, sent)
	assert.EqualValues(t, bad, failed)
	assert.InDelta(t, 10, ok, 2, "20 a second for 0.5 s")
	assert.InDelta(t, 10, bad, 2, "20 a second for 0.5 s")
	assert.GreaterOrEqual(t, took, 500*time.Millisecond)
	assert.Less(t, took, 900*time.Millisecond, "the loops ran at once")
}

func TestTLSClient(t *testing.T) {
	c := TLSClient(nil, false)
	tr := c.Transport.(*http.Transport)
	assert.True(t, tr.DisableKeepAlives)
	assert.False(t, tr.ForceAttemptHTTP2)
	assert.Equal(t, Wait, c.Timeout)
	assert.False(t, TLSClient(nil, true).Transport.(*http.Transport).DisableKeepAlives)
}

// TestMeasureHop reports the four metrics, and the hop adds what its upstream delays it by.
func TestMeasureHop(t *testing.T) {
	if testing.Short() {
		t.Skip("a benchmark of about a second")
	}
	user := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, UserJSON) })
	direct := Serve(t, user)
	hop := Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Millisecond)
		user(w, r)
	}))
	r := testing.Benchmark(func(b *testing.B) {
		MeasureHop(b, http.DefaultTransport.(*http.Transport).Clone(), NewRequest(b, "GET", direct, "", nil), NewRequest(b, "GET", hop, "", nil))
	})
	for _, m := range []string{"added-ns/op", "added-p50-ns", "added-p99-ns", "direct-p50-ns"} {
		assert.Contains(t, r.Extra, m)
	}
	assert.GreaterOrEqual(t, r.Extra["added-p50-ns"], float64(time.Millisecond.Nanoseconds()))
	assert.Positive(t, r.Extra["direct-p50-ns"])
}
