package controlplane

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
)

type pollResult struct {
	code int
	snap Snapshot
	at   time.Time
}

// pollAsync runs one long poll in the background.
func pollAsync(t *testing.T, url string, version uint64) <-chan pollResult {
	out := make(chan pollResult, 1)
	go func() {
		resp, err := http.Get(fmt.Sprintf("%s%s?version=%d", url, pathWatch, version))
		if err != nil {
			out <- pollResult{code: -1}
			return
		}
		defer resp.Body.Close()
		var snap Snapshot
		_ = json.NewDecoder(resp.Body).Decode(&snap)
		out <- pollResult{code: resp.StatusCode, snap: snap, at: time.Now()}
	}()
	return out
}

func receive(t *testing.T, c <-chan pollResult) pollResult {
	t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(wait):
		t.Fatal("long poll did not return")
		return pollResult{}
	}
}

// pending asserts the long poll is still waiting after a while.
func pending(t *testing.T, c <-chan pollResult) {
	t.Helper()
	select {
	case r := <-c:
		t.Fatalf("long poll returned early: %+v", r)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestWatchLongPoll(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{WatchTimeout: time.Minute})
	first := receive(t, pollAsync(t, ts.url, 0))
	require.Equal(t, http.StatusOK, first.code, "version 0 returns at once")
	assert.Empty(t, ids(first.snap))

	poll := pollAsync(t, ts.url, first.snap.Version)
	pending(t, poll)
	ts.cp.store.put(instance("user-1", "user"))
	next := receive(t, poll)
	assert.Greater(t, next.snap.Version, first.snap.Version)
	assert.Equal(t, []string{"user-1"}, ids(next.snap))
}

func TestWatchTimeoutReturnsCurrent(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{WatchTimeout: 200 * time.Millisecond})
	cur := ts.cp.Snapshot()
	start := time.Now()
	r := receive(t, pollAsync(t, ts.url, cur.Version))
	assert.Equal(t, http.StatusOK, r.code)
	assert.Equal(t, cur.Version, r.snap.Version)
	assert.GreaterOrEqual(t, r.at.Sub(start), 200*time.Millisecond)
}

func TestWatchHoldsPreviousIncarnation(t *testing.T) {
	t.Parallel()
	const grace = 500 * time.Millisecond
	start := time.Now()
	ts := startServer(t, ServerOptions{ResyncGrace: grace})
	fresh := receive(t, pollAsync(t, ts.url, 0))
	assert.Equal(t, http.StatusOK, fresh.code, "a new watcher is answered during the grace")

	ts.cp.store.put(instance("user-1", "user"))
	r := receive(t, pollAsync(t, ts.url, 1)) // a version of an earlier control plane
	assert.GreaterOrEqual(t, r.at.Sub(start), grace, "held until the grace was over")
	assert.Equal(t, []string{"user-1"}, ids(r.snap))
}

func TestWatchEndsOnClose(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{})
	poll := pollAsync(t, ts.url, ts.cp.Snapshot().Version)
	pending(t, poll)
	ts.cp.Close()
	assert.Equal(t, http.StatusServiceUnavailable, receive(t, poll).code)
}

func TestShutdownEndsStreams(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{})
	register(t, NewClient(ts.url, meshtest.Logger(t)), instance("user-1", "user"))
	poll := pollAsync(t, ts.url, ts.cp.Snapshot().Version)
	pending(t, poll)

	// The http.Server's Shutdown closes the control plane by itself, so it need not wait for
	// streams that never end on their own.
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, ts.hs.Shutdown(ctx))
	assert.Equal(t, http.StatusServiceUnavailable, receive(t, poll).code)
	assert.Equal(t, []string{"user-1"}, ids(ts.cp.Snapshot()), "shutting down removes nobody")
}

func TestEndpoints(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{})
	ts.cp.store.put(instance("user-1", "user"))
	tests := []struct {
		name, method, path string
		code               int
		body               string
	}{
		{"healthz", http.MethodGet, "/healthz", http.StatusOK, "ok\n"},
		{"snapshot", http.MethodGet, pathSnapshot, http.StatusOK, `"user-1"`},
		{"bad version", http.MethodGet, pathWatch + "?version=x", http.StatusBadRequest, "bad version"},
		{"register needs POST", http.MethodGet, pathRegister, http.StatusMethodNotAllowed, ""},
		{"unknown", http.MethodGet, "/v1/nope", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest(tt.method, ts.url+tt.path, nil)
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tt.code, resp.StatusCode)
			assert.Contains(t, string(body), tt.body)
		})
	}
}

func TestClientSnapshot(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{})
	ts.cp.store.put(instance("user-1", "user"))
	snap, err := NewClient(ts.addr(), nil).Snapshot(context.Background())
	require.NoError(t, err)
	assert.Equal(t, ts.cp.Snapshot(), snap)
}
