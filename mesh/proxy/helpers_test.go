package proxy

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/proctest"
	"github.com/meshlab/meshlab/mesh/controlplane"
)

// wait bounds how long a test waits for something that should happen much sooner.
const wait = 10 * time.Second

func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.DiscardHandler)
	}
	h := slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})
	return slog.New(h).With("test", t.Name())
}

// backend is a real upstream server that counts its requests and answers with its name.
type backend struct {
	name string
	srv  *httptest.Server
	mu   sync.Mutex
	hits int
}

// newBackend serves h (nil: 200 with the backend's name) on a loopback port.
func newBackend(t testing.TB, name string, h http.HandlerFunc) *backend {
	b := &backend{name: name}
	if h == nil {
		h = func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, name) }
	}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.hits++
		b.mu.Unlock()
		w.Header().Set("X-Backend", name)
		h(w, r)
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *backend) addr() string { return b.srv.Listener.Addr().String() }

func (b *backend) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.hits
}

func (b *backend) instance(service string) controlplane.Instance {
	return controlplane.Instance{ID: b.name, Service: service, Addr: b.addr(),
		Labels: map[string]string{"app": service, "version": "v1"}, Ready: true}
}

// snapshot lists insts under their services.
func snapshot(version uint64, insts ...controlplane.Instance) controlplane.Snapshot {
	s := controlplane.Snapshot{Version: version, Services: map[string][]controlplane.Instance{}}
	for _, in := range insts {
		s.Services[in.Service] = append(s.Services[in.Service], in)
	}
	return s
}

func deadInstance(t testing.TB, id, service string) controlplane.Instance {
	return controlplane.Instance{ID: id, Service: service, Addr: proctest.DeadAddrFor(t), Ready: true}
}

// front serves p on a loopback port, every request routed to service; it returns its URL.
func front(t testing.TB, p *Proxy, service string) string {
	rt := p.Route(service)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.Serve(w, r, rt)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(p.CloseIdleConnections)
	return srv.URL
}

// answer is what a test client got.
type answer struct {
	code   int
	body   string
	header http.Header
}

var testClient = &http.Client{Timeout: wait}

// do sends one request with hdr and reads the whole answer.
func do(t testing.TB, method, url, body string, hdr map[string]string) answer {
	t.Helper()
	req := newRequest(t, method, url, body)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := testClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{code: resp.StatusCode, body: string(b), header: resp.Header}
}

// newRequest is a request with body ("" for none).
func newRequest(t testing.TB, method, url, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	return req
}

func get(t testing.TB, url string) answer { return do(t, http.MethodGet, url, "", nil) }
