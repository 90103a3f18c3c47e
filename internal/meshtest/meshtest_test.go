package meshtest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
