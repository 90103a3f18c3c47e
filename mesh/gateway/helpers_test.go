package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/controlplane"
)

const (
	wait      = 10 * time.Second
	testToken = "run-token"
)

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
	cfg.Logger = meshtest.Logger(t)
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
