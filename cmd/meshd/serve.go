package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/meshlab/meshlab/mesh/proc"
	"github.com/meshlab/meshlab/mesh/sidecar"
)

// shutdownGrace bounds a graceful shutdown after SIGTERM.
const shutdownGrace = 2 * time.Second

// listener is one named listener of a role and the handler it serves.
type listener struct {
	name    string
	ln      net.Listener
	handler http.Handler
}

// listen binds addr, or, when fd is set, adopts an inherited listening socket (the local backend
// passes the control plane a socket it owns, so the address survives restarts).
func listen(name, addr string, fd int, h http.Handler) (listener, error) {
	if fd > 0 {
		f := os.NewFile(uintptr(fd), name)
		ln, err := net.FileListener(f)
		f.Close()
		if err != nil {
			return listener{}, fmt.Errorf("adopting %s listener fd %d: %w", name, fd, err)
		}
		return listener{name: name, ln: ln, handler: h}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return listener{}, fmt.Errorf("binding %s listener on %s: %w", name, addr, err)
	}
	return listener{name: name, ln: ln, handler: h}, nil
}

// serve runs every listener's server, signals readiness, and shuts all down when ctx ends or
// any server fails.
func serve(ctx context.Context, log *slog.Logger, role string, lns []listener) error {
	errc := make(chan error, len(lns))
	servers := make([]*http.Server, 0, len(lns))
	addrs := make(map[string]string, len(lns))
	for _, l := range lns {
		srv := &http.Server{
			Handler:           l.handler,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       90 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
			ConnContext:       sidecar.TLSConnContext, // the caller's identity, for authorization
		}
		servers = append(servers, srv)
		addrs[l.name] = l.ln.Addr().String()
		go func(l listener) {
			if err := srv.Serve(l.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("serving %s: %w", l.name, err)
			}
		}(l)
	}
	if err := proc.SignalReady(proc.Ready{Role: role, Addrs: addrs}); err != nil {
		return err
	}
	log.Info("ready", "addrs", addrs, "pid", os.Getpid())
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for _, srv := range servers {
		_ = srv.Shutdown(sctx)
	}
	log.Info("stopped")
	return err
}

// token is the run token guarding admin endpoints.
func token() string { return os.Getenv(proc.EnvToken) }
