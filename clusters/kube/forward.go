package kube

import (
	"context"
	"io"
	"net"
	"sync"
	"time"
)

// localForward serves a port on 127.0.0.1 whose every connection it forwards to a port of the
// gateway's pod (the current one: a replaced pod is picked up by the next connection), as
// kubectl port-forward does: how the load reaches a gateway that no node port exposes.
type localForward struct {
	ln   net.Listener
	dial func(ctx context.Context, fresh bool) (net.Conn, error)
	wg   sync.WaitGroup
	mu   sync.Mutex
	open map[net.Conn]bool
}

// forwardGateway starts a local forward to the gateway's public port.
func (m *kubeMesh) forwardGateway() (*localForward, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var (
		mu  sync.Mutex
		pod string // the gateway pod the last connection went to
	)
	f := &localForward{ln: ln, open: map[net.Conn]bool{}, dial: func(ctx context.Context, fresh bool) (net.Conn, error) {
		mu.Lock()
		name := pod
		mu.Unlock()
		if name == "" || fresh {
			p, err := m.firstPod(ctx, "app="+Gateway)
			if err != nil {
				return nil, err
			}
			name = p.Name
			mu.Lock()
			pod = name
			mu.Unlock()
		}
		return m.fw.Dial(ctx, m.ns, name, GatewayPort)
	}}
	f.wg.Add(1)
	go f.serve()
	return f, nil
}

// Addr is the local address, host:port.
func (f *localForward) Addr() string { return f.ln.Addr().String() }

func (f *localForward) serve() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.wg.Add(1)
		go f.handle(c)
	}
}

func (f *localForward) handle(c net.Conn) {
	defer f.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	remote, err := f.dial(ctx, false)
	if err != nil { // the gateway pod may have been replaced
		remote, err = f.dial(ctx, true)
	}
	cancel()
	if err != nil {
		c.Close()
		return
	}
	f.track(c, remote, true)
	defer f.track(c, remote, false)
	done := make(chan struct{}, 2)
	go func() { io.Copy(remote, c); remote.Close(); done <- struct{}{} }()
	go func() { io.Copy(c, remote); c.Close(); done <- struct{}{} }()
	<-done
	<-done
}

func (f *localForward) track(a, b net.Conn, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if on {
		f.open[a], f.open[b] = true, true
		return
	}
	delete(f.open, a)
	delete(f.open, b)
}

// Close stops accepting, closes every forwarded connection and waits for them.
func (f *localForward) Close() {
	f.ln.Close()
	f.mu.Lock()
	for c := range f.open {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}
