package sidecar

import (
	"encoding/json"
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

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/services"
)

// wait bounds how long a test waits for something that should happen much sooner.
const wait = 10 * time.Second

const testToken = "run-token"

func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.DiscardHandler)
	}
	h := slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})
	return slog.New(h).With("test", t.Name())
}

// pod is one instance: an app, its sidecar, and the sidecar's three listeners.
type pod struct {
	id, service string
	sc          *Sidecar
	app         *httptest.Server
	in, out     *httptest.Server
	admin       *httptest.Server
}

// startPod starts app (nil: none yet) behind a sidecar configured by cfg.
func startPod(t testing.TB, cfg Config, app http.Handler) *pod {
	t.Helper()
	p := &pod{id: cfg.Instance, service: cfg.Service}
	if app != nil {
		p.app = httptest.NewServer(app)
		t.Cleanup(p.app.Close)
		cfg.App = p.app.Listener.Addr().String()
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t).With("instance", cfg.Instance)
	}
	if cfg.Token == "" {
		cfg.Token = testToken
	}
	sc, err := New(cfg)
	require.NoError(t, err)
	p.sc = sc
	p.in, p.out, p.admin = httptest.NewServer(sc.Inbound()), httptest.NewServer(sc.Outbound()), httptest.NewServer(sc.Admin())
	t.Cleanup(func() {
		p.in.Close()
		p.out.Close()
		p.admin.Close()
		sc.out.CloseIdleConnections()
		sc.inTransport.CloseIdleConnections()
	})
	return p
}

// servicePod starts a real service instance behind a sidecar.
func servicePod(t testing.TB, service, id string, retries int) *pod {
	t.Helper()
	svc, err := services.New(services.Config{Service: service, Instance: id, Seed: 1, Logger: testLogger(t)})
	require.NoError(t, err)
	p := startPod(t, Config{Service: service, Instance: id, Version: "v1", Retries: retries}, svc)
	svc.SetOutbound(p.out.URL)
	return p
}

// named answers with the app's name.
func named(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, name) })
}

func (p *pod) instance() controlplane.Instance {
	return controlplane.Instance{ID: p.id, Service: p.service, Addr: p.in.Listener.Addr().String(),
		Labels: map[string]string{"app": p.service, "version": "v1"}, Ready: true}
}

// publish feeds every sidecar of to the snapshot of pods.
func publish(version uint64, to []*pod, pods ...*pod) {
	snap := controlplane.Snapshot{Version: version, Services: map[string][]controlplane.Instance{}}
	for _, p := range pods {
		snap.Services[p.service] = append(snap.Services[p.service], p.instance())
	}
	for _, p := range to {
		p.sc.Update(snap)
	}
}

var testClient = &http.Client{Timeout: wait}

type answer struct {
	code   int
	body   string
	header http.Header
}

// do sends one request; host, when not empty, is its Host.
func do(t testing.TB, method, url, host, body string, hdr http.Header) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	if host != "" {
		req.Host = host
	}
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

func tokenHeader() http.Header { return http.Header{adminapi.TokenHeader: {testToken}} }

func decode(t testing.TB, s string, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal([]byte(s), v), "body %s", s)
}

// flips records OnAppChange calls.
type flips struct {
	mu  sync.Mutex
	got []bool
}

func (f *flips) record(up bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, up)
}

func (f *flips) all() []bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bool(nil), f.got...)
}
