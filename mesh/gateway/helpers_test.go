package gateway

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/controlplane"
)

const (
	wait      = 10 * time.Second
	testToken = "run-token"
)

func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.DiscardHandler)
	}
	h := slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})
	return slog.New(h).With("test", t.Name())
}

// upstream is a real server standing in for a service instance; it records the last request's
// headers.
type upstream struct {
	srv  *httptest.Server
	seen chan http.Header
}

func newUpstream(t testing.TB, name string) *upstream {
	u := &upstream{seen: make(chan http.Header, 100)}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.seen <- r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "upstream-made-this")
		io.WriteString(w, `{"service":"`+name+`","path":"`+r.URL.RequestURI()+`"}`)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) last(t testing.TB) http.Header {
	t.Helper()
	select {
	case h := <-u.seen:
		return h
	case <-time.After(wait):
		t.Fatal("the upstream saw no request")
		return nil
	}
}

// startGateway serves a gateway whose snapshot lists one upstream per service.
func startGateway(t testing.TB, cfg Config, ups map[string]*upstream) (*Gateway, string) {
	t.Helper()
	cfg.Logger = testLogger(t)
	g, err := New(cfg)
	require.NoError(t, err)
	snap := controlplane.Snapshot{Version: 7, Services: map[string][]controlplane.Instance{}}
	for svc, u := range ups {
		snap.Services[svc] = []controlplane.Instance{{ID: svc + "-1", Service: svc, Addr: u.srv.Listener.Addr().String(), Ready: true}}
	}
	g.Update(snap)
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	t.Cleanup(g.proxy.CloseIdleConnections)
	return g, srv.URL
}

var testClient = &http.Client{Timeout: wait}

type answer struct {
	code   int
	body   string
	header http.Header
}

func do(t testing.TB, method, url, body string, hdr http.Header) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := testClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{code: resp.StatusCode, body: string(b), header: resp.Header}
}

func httptestServer(t testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func decodeJSON(t testing.TB, s string, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal([]byte(s), v), "body %s", s)
}
