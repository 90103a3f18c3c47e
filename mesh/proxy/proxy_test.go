package proxy

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
)

func TestTimeout(t *testing.T) {
	t.Parallel()
	const timeout = 200 * time.Millisecond
	stuck := newBackend(t, "stuck", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(wait):
		}
	})
	p := New(Options{Timeout: timeout, Retries: 2, Logger: meshtest.Logger(t)})
	p.Update(snapshot(1, stuck.instance("svc")))
	url := front(t, p, "svc")

	start := time.Now()
	a := meshtest.Get(t, url)
	took := time.Since(start)
	assert.Equal(t, http.StatusGatewayTimeout, a.Code)
	assert.Equal(t, ReasonTimeout, a.Header.Get(ReasonHeader))
	assert.Contains(t, a.Body, `"error"`)
	assert.GreaterOrEqual(t, took, timeout)
	assert.Less(t, took, timeout+3*time.Second, "the timeout covers the retries too")
	assert.Equal(t, 1, stuck.count(), "no retry after the time ran out")
}

func TestNoEndpoints(t *testing.T) {
	t.Parallel()
	b := newBackend(t, "a", nil)
	p := New(Options{Logger: meshtest.Logger(t)})
	url := front(t, p, "svc")
	check := func(t *testing.T) {
		a := meshtest.Get(t, url)
		assert.Equal(t, http.StatusServiceUnavailable, a.Code)
		assert.Equal(t, ReasonNoEndpoints, a.Header.Get(ReasonHeader))
		assert.Equal(t, "application/json", a.Header.Get("Content-Type"))
		assert.Contains(t, a.Body, `"error":`)
	}
	t.Run("before the first snapshot", check)
	p.Update(snapshot(1, b.instance("svc")))
	require.Equal(t, http.StatusOK, meshtest.Get(t, url).Code)
	p.Update(snapshot(2)) // the last instance left: the snapshot omits the service
	t.Run("after the last instance left", check)
	assert.True(t, p.Table().Known("svc"), "a service once listed stays known")
	assert.False(t, p.Table().Known("other"))
}

// TestUpdateKeepsInFlight moves traffic from a to b while a request to a is in flight.
func TestUpdateKeepsInFlight(t *testing.T) {
	t.Parallel()
	arrived, release := make(chan struct{}), make(chan struct{})
	a := newBackend(t, "a", func(w http.ResponseWriter, _ *http.Request) {
		close(arrived)
		<-release
		io.WriteString(w, "a")
	})
	b := newBackend(t, "b", nil)
	p := New(Options{Logger: meshtest.Logger(t)})
	p.Update(snapshot(1, a.instance("svc")))
	url := front(t, p, "svc")

	inflight := make(chan meshtest.Answer, 1)
	go func() { inflight <- meshtest.Get(t, url) }()
	<-arrived
	p.Update(snapshot(2, b.instance("svc")))
	for range 3 {
		assert.Equal(t, "b", meshtest.Get(t, url).Body, "new requests follow the new table")
	}
	close(release)
	got := <-inflight
	assert.Equal(t, http.StatusOK, got.Code)
	assert.Equal(t, "a", got.Body, "the request in flight to a completes")
}

// TestUpdatesUnderLoad switches the table continuously while requests flow: none fails.
func TestUpdatesUnderLoad(t *testing.T) {
	t.Parallel()
	bs := []*backend{newBackend(t, "a", nil), newBackend(t, "b", nil), newBackend(t, "c", nil)}
	p := New(Options{Logger: meshtest.Logger(t)})
	p.Update(snapshot(1, bs[0].instance("svc")))
	url := front(t, p, "svc")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for v := uint64(2); ctx.Err() == nil; v++ {
			p.Update(snapshot(v, bs[v%3].instance("svc"), bs[(v+1)%3].instance("svc")))
		}
	}()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				assert.Equal(t, http.StatusOK, meshtest.Get(t, url).Code)
			}
		})
	}
	wg.Wait()
	cancel()
	<-done
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	seen := make(chan http.Header, 1)
	b := newBackend(t, "a", func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Clone()
		w.Header().Set("Connection", "X-Private")
		w.Header().Set("X-Private", "secret")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.Header().Set("X-Answer", "yes")
	})
	p := New(Options{Logger: meshtest.Logger(t)})
	p.Update(snapshot(1, b.instance("svc")))
	url := front(t, p, "svc")

	a := meshtest.Do(t, http.MethodGet, url, "", http.Header{
		"Connection":          {"X-Hop"},
		"X-Hop":               {"drop me"},
		"Proxy-Authorization": {"Basic x"},
		"X-Forwarded-For":     {"10.0.0.1"},
		"X-Request-Id":        {"req-1"},
		"Traceparent":         {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
		"Idempotency-Key":     {"k"},
	})
	require.Equal(t, http.StatusOK, a.Code)
	up := <-seen
	assert.Empty(t, up.Get("X-Hop"), "named in Connection: hop-by-hop")
	assert.Empty(t, up.Get("Proxy-Authorization"))
	assert.Equal(t, "10.0.0.1, 127.0.0.1", up.Get("X-Forwarded-For"))
	assert.Equal(t, "req-1", up.Get("X-Request-Id"))
	assert.Equal(t, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", up.Get("Traceparent"))
	assert.Equal(t, "k", up.Get("Idempotency-Key"))
	assert.Empty(t, a.Header.Get("X-Private"), "hop-by-hop on the way back too")
	assert.Empty(t, a.Header.Get("Keep-Alive"))
	assert.Equal(t, "yes", a.Header.Get("X-Answer"))
}

// TestStreaming reads the first part of a streamed answer before the upstream ends it.
func TestStreaming(t *testing.T) {
	t.Parallel()
	finish := make(chan struct{})
	b := newBackend(t, "a", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "first\n")
		http.NewResponseController(w).Flush()
		<-finish
		io.WriteString(w, "second\n")
	})
	p := New(Options{Logger: meshtest.Logger(t)})
	p.Update(snapshot(1, b.instance("svc")))
	url := front(t, p, "svc")

	resp, err := meshtest.Client.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	first := make(chan string, 1)
	go func() {
		line, _ := r.ReadString('\n')
		first <- line
	}()
	select {
	case line := <-first:
		assert.Equal(t, "first\n", line)
	case <-time.After(wait):
		t.Error("the first part was not flushed through before the upstream finished")
	}
	close(finish)
	rest, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Contains(t, string(rest), "second\n")
}
