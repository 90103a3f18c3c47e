package proxy

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/controlplane"
)

// echo answers with the request's body, read whole first (an HTTP/1 server that starts its
// answer discards the rest of the request body).
func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.Write(b)
}

// unavailable answers 503.
func unavailable(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, `{"error":"down"}`, http.StatusServiceUnavailable)
}

// hangUp closes the connection without an answer, once the request is read.
func hangUp(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

// retryProxy serves service "svc" over insts with one retry.
func retryProxy(t *testing.T, opts Options, insts ...controlplane.Instance) string {
	opts.Logger = meshtest.Logger(t)
	p := New(opts)
	p.Update(snapshot(1, insts...))
	return front(t, p, "svc")
}

func TestRetryConnectFailure(t *testing.T) {
	t.Parallel()
	t.Run("GET succeeds on another endpoint", func(t *testing.T) {
		t.Parallel()
		live := newBackend(t, "live", nil)
		url := retryProxy(t, Options{Retries: 1}, deadInstance(t, "dead", "svc"), live.instance("svc"))
		for range 6 {
			a := meshtest.Get(t, url)
			assert.Equal(t, http.StatusOK, a.Code, a.Body)
		}
		assert.Equal(t, 6, live.count())
	})
	t.Run("POST without a key is not retried", func(t *testing.T) {
		t.Parallel()
		live := newBackend(t, "live", echo)
		url := retryProxy(t, Options{Retries: 1}, deadInstance(t, "dead", "svc"), live.instance("svc"))
		codes := map[int]int{}
		for range 4 { // round robin: every other request meets the dead endpoint first
			a := meshtest.Do(t, http.MethodPost, url, `{"n":1}`, nil)
			codes[a.Code]++
			if a.Code == http.StatusServiceUnavailable {
				assert.Equal(t, ReasonConnectFailure, a.Header.Get(ReasonHeader))
				assert.Equal(t, "application/json", a.Header.Get("Content-Type"))
			}
		}
		assert.Equal(t, map[int]int{http.StatusOK: 2, http.StatusServiceUnavailable: 2}, codes)
	})
	t.Run("POST with a key is retried with its body", func(t *testing.T) {
		t.Parallel()
		live := newBackend(t, "live", echo)
		url := retryProxy(t, Options{Retries: 1}, deadInstance(t, "dead", "svc"), live.instance("svc"))
		for i := range 20 { // about half the keys hash to the dead endpoint first
			body := fmt.Sprintf(`{"n":%d}`, i)
			a := meshtest.Do(t, http.MethodPost, url, body, http.Header{HeaderIdempotencyKey: {fmt.Sprint("k", i)}})
			assert.Equal(t, http.StatusOK, a.Code)
			assert.Equal(t, body, a.Body)
		}
	})
	t.Run("no retries configured", func(t *testing.T) {
		t.Parallel()
		live := newBackend(t, "live", nil)
		url := retryProxy(t, Options{}, deadInstance(t, "dead", "svc"), live.instance("svc"))
		codes := map[int]int{}
		for range 4 {
			codes[meshtest.Get(t, url).Code]++
		}
		assert.Equal(t, map[int]int{http.StatusOK: 2, http.StatusServiceUnavailable: 2}, codes)
	})
}

func TestRetryUnavailable(t *testing.T) {
	t.Parallel()
	t.Run("GET", func(t *testing.T) {
		t.Parallel()
		down, live := newBackend(t, "down", unavailable), newBackend(t, "live", nil)
		url := retryProxy(t, Options{Retries: 1}, down.instance("svc"), live.instance("svc"))
		for range 6 {
			a := meshtest.Get(t, url)
			assert.Equal(t, http.StatusOK, a.Code)
			assert.Equal(t, "live", a.Body)
		}
		assert.Equal(t, 3, down.count(), "every other request tried the 503 first")
	})
	t.Run("POST without a key gets the 503", func(t *testing.T) {
		t.Parallel()
		down := newBackend(t, "down", unavailable)
		url := retryProxy(t, Options{Retries: 2}, down.instance("svc"))
		a := meshtest.Do(t, http.MethodPost, url, "{}", nil)
		assert.Equal(t, http.StatusServiceUnavailable, a.Code)
		assert.Empty(t, a.Header.Get(ReasonHeader), "the upstream's own answer")
		assert.Equal(t, 1, down.count())
	})
	t.Run("the last try's 503 is the answer", func(t *testing.T) {
		t.Parallel()
		down := newBackend(t, "down", unavailable)
		url := retryProxy(t, Options{Retries: 2}, down.instance("svc"))
		a := meshtest.Get(t, url)
		assert.Equal(t, http.StatusServiceUnavailable, a.Code)
		assert.JSONEq(t, `{"error":"down"}`, a.Body)
		assert.Equal(t, 3, down.count(), "one endpoint: every try on it")
	})
}

func TestRetryConnectionLost(t *testing.T) {
	t.Parallel()
	t.Run("keyed POST moves on with its body", func(t *testing.T) {
		t.Parallel()
		lost, live := newBackend(t, "lost", hangUp), newBackend(t, "live", echo)
		url := retryProxy(t, Options{Retries: 1}, lost.instance("svc"), live.instance("svc"))
		for i := range 10 {
			body := strings.Repeat("x", 100*i+1)
			a := meshtest.Do(t, http.MethodPost, url, body, http.Header{HeaderIdempotencyKey: {fmt.Sprint("k", i)}})
			require.Equal(t, http.StatusOK, a.Code, a.Body)
			assert.Equal(t, body, a.Body, "key k%d", i)
		}
		assert.Positive(t, lost.count())
	})
	t.Run("POST without a key: 502", func(t *testing.T) {
		t.Parallel()
		lost := newBackend(t, "lost", hangUp)
		url := retryProxy(t, Options{Retries: 1}, lost.instance("svc"))
		a := meshtest.Do(t, http.MethodPost, url, "{}", nil)
		assert.Equal(t, http.StatusBadGateway, a.Code)
		assert.Equal(t, ReasonUpstreamError, a.Header.Get(ReasonHeader))
	})
}

func TestRetryBodyOverLimitIsSentOnce(t *testing.T) {
	t.Parallel()
	live := newBackend(t, "live", echo)
	url := retryProxy(t, Options{Retries: 1, MaxRetryBody: 16}, deadInstance(t, "dead", "svc"), live.instance("svc"))
	body := strings.Repeat("y", 100)
	for _, chunked := range []bool{false, true} {
		codes := map[int]int{}
		for range 2 {
			req, err := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
			require.NoError(t, err)
			req.Header.Set(HeaderIdempotencyKey, "same") // same key: same first choice…
			if chunked {
				req.ContentLength = -1
			}
			resp, err := meshtest.Client.Do(req)
			require.NoError(t, err)
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			codes[resp.StatusCode]++
			if resp.StatusCode == http.StatusOK {
				assert.Equal(t, body, string(got), "the whole body arrives")
			}
		}
		assert.Len(t, codes, 1, "…and the same outcome every time (chunked %v)", chunked)
	}
}

// TestHangUpWhileSendingBodyIsConnectionLost: an upstream that hangs up on a request whose body
// is still being sent is a lost connection, whichever side of Go's transport sees it first
// (a read of EOF or a reset, or the body's write on the connection the reader then closed:
// "use of closed network connection"), so a sidecar answers it as the app's reset and a
// retry policy with retryOn reset retries it.
func TestHangUpWhileSendingBodyIsConnectionLost(t *testing.T) {
	t.Parallel()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(up.Close)
	tr := NewTransport()
	t.Cleanup(tr.CloseIdleConnections)
	// 256 KiB is more than the socket takes before the hang-up (sent by net/http's transport);
	// 1 KiB is written whole before it (sent by Transport itself).
	for _, size := range []int{256 << 10, 1 << 10} {
		body := strings.Repeat("x", size)
		for i := range 300 {
			req, err := http.NewRequest(http.MethodPost, up.URL+"/orders", strings.NewReader(body))
			require.NoError(t, err)
			resp, err := tr.RoundTrip(req)
			if resp != nil {
				resp.Body.Close()
			}
			require.Error(t, err, "%d bytes, request %d", size, i)
			require.True(t, IsConnectionLost(err), "%d bytes, request %d: %v", size, i, err)
		}
	}
}
