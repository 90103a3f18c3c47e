package controlplane

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
)

// wait bounds how long a test waits for something that should happen (much) sooner; a
// requirement's own bound (1 s) is asserted separately on the measured time.
const wait = 10 * time.Second

// testServer is a control plane served on a real loopback listener.
type testServer struct {
	cp  *Server
	hs  *http.Server
	url string
}

func startServer(t *testing.T, opts ServerOptions) *testServer {
	return startServerOn(t, "127.0.0.1:0", opts)
}

// startServerOn serves a fresh control plane on addr; rebinding the address of a server just
// stopped may briefly fail, so it retries.
func startServerOn(t *testing.T, addr string, opts ServerOptions) *testServer {
	t.Helper()
	var ln net.Listener
	var err error
	for deadline := time.Now().Add(wait); ; time.Sleep(20 * time.Millisecond) {
		ln, err = net.Listen("tcp", addr)
		if !errors.Is(err, syscall.EADDRINUSE) || time.Now().After(deadline) {
			break
		}
	}
	require.NoError(t, err)
	if opts.Logger == nil {
		opts.Logger = meshtest.Logger(t)
	}
	ts := &testServer{cp: NewServer(opts), url: "http://" + ln.Addr().String()}
	ts.hs = &http.Server{Handler: ts.cp.Handler()}
	go ts.hs.Serve(ln)
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testServer) addr() string { return ts.url[len("http://"):] }

// stop takes the control plane down as a crash or restart would: every connection closes.
func (ts *testServer) stop() {
	ts.cp.Close()
	ts.hs.Close()
}

// register keeps inst registered until the test ends, and waits for the first ack.
func register(t *testing.T, c *Client, inst Instance) (*Registration, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	reg := c.Register(ctx, inst)
	t.Cleanup(func() {
		cancel()
		<-reg.Done()
	})
	select {
	case <-reg.Registered():
	case <-time.After(wait):
		t.Fatalf("%s not registered within %v", inst.ID, wait)
	}
	return reg, cancel
}

func instance(id, service string) Instance {
	return Instance{
		ID: id, Service: service, Addr: "127.0.0.1:1",
		Labels: map[string]string{"app": service, "version": "v1"}, Ready: true,
	}
}

// ids lists the instances a snapshot serves, sorted.
func ids(s Snapshot) []string {
	var out []string
	for _, list := range s.Services {
		for _, in := range list {
			out = append(out, in.ID)
		}
	}
	slices.Sort(out)
	return out
}

func has(s Snapshot, id string) bool { return slices.Contains(ids(s), id) }

// recorder keeps every snapshot a watcher was given, with when.
type recorder struct {
	mu     sync.Mutex
	seen   []seen
	update chan struct{}
}

type seen struct {
	at   time.Time
	snap Snapshot
}

// watch runs a Client.Watch until the test ends and records what it sees.
func watch(t *testing.T, url string) *recorder {
	rec := &recorder{update: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewClient(url, meshtest.Logger(t)).Watch(ctx, rec.add) }()
	t.Cleanup(func() {
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
	})
	return rec
}

func (r *recorder) add(s Snapshot) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, seen{at: time.Now(), snap: s})
	close(r.update)
	r.update = make(chan struct{})
}

// await waits until the latest snapshot satisfies ok and returns it.
func (r *recorder) await(t *testing.T, what string, ok func(Snapshot) bool) seen {
	t.Helper()
	timeout := time.After(wait)
	for {
		r.mu.Lock()
		n, update := len(r.seen), r.update
		if n > 0 && ok(r.seen[n-1].snap) {
			last := r.seen[n-1]
			r.mu.Unlock()
			return last
		}
		r.mu.Unlock()
		select {
		case <-update:
		case <-timeout:
			t.Fatalf("watcher did not see %s within %v", what, wait)
		}
	}
}

func (r *recorder) all() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seen)
}
