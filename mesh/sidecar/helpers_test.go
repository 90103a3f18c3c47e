package sidecar

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/services"
)

// wait bounds how long a test waits for something that should happen much sooner.
const wait = 10 * time.Second

const testToken = "run-token"

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
		cfg.Logger = meshtest.Logger(t).With("instance", cfg.Instance)
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
	svc, err := services.New(services.Config{Service: service, Instance: id, Seed: 1, Logger: meshtest.Logger(t)})
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

// do is meshtest.Do with the request's Host ("": the URL's).
func do(t testing.TB, method, url, host, body string, hdr http.Header) meshtest.Answer {
	t.Helper()
	req := meshtest.NewRequest(t, method, url, body, hdr)
	if host != "" {
		req.Host = host
	}
	return meshtest.DoRequest(t, req)
}

func tokenHeader() http.Header { return http.Header{adminapi.TokenHeader: {testToken}} }

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
