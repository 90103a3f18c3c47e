package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/meshlab/meshlab/internal/proctest"
	"github.com/meshlab/meshlab/mesh/controlplane"
)

// wait bounds how long a test waits for something that should happen much sooner.
const wait = 10 * time.Second

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
