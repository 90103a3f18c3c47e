package main

import (
	"context"
	"flag"
	"log/slog"
	"net/http"

	"github.com/meshlab/meshlab/mesh/controlplane"
)

func runControlPlane(ctx context.Context, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("controlplane", flag.ContinueOnError)
	addr := fs.String("listen", "127.0.0.1:0", "address to listen on")
	fd := fs.Int("listen-fd", 0, "inherited listening socket to serve on instead of --listen")
	ttl := fs.Duration("heartbeat-ttl", 0, "remove an instance whose heartbeats stop for this long (0: default)")
	propagation := fs.Duration("propagation-delay", 0, "keep an instance listed this long after it went away (endpoint propagation)")
	pol := fs.String("policy", "", "MeshPolicy JSON document to start with (PUT /v1/policy replaces it)")
	caDir := fs.String("ca-dir", "", "directory keeping the CA root (ca.crt, ca.key) across restarts; \"\": in memory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ca, err := controlplane.NewCA(controlplane.CAOptions{Dir: *caDir, Token: token(), Logger: log})
	if err != nil {
		return err
	}
	srv := controlplane.NewServer(controlplane.ServerOptions{HeartbeatTTL: *ttl, PropagationDelay: *propagation, Token: token(), CA: ca, Logger: log})
	if err := loadPolicy(srv, *pol); err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/", srv.Handler())
	l, err := listen("http", *addr, *fd, mux)
	if err != nil {
		return err
	}
	return serve(ctx, log, "controlplane", []listener{l})
}
