package main

import (
	"context"
	"flag"
	"log/slog"

	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/faults"
	"github.com/meshlab/meshlab/mesh/proxy"
	"github.com/meshlab/meshlab/mesh/sidecar"
)

func runSidecar(ctx context.Context, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("sidecar", flag.ContinueOnError)
	service := fs.String("service", "", "the service this sidecar fronts (required)")
	instance := fs.String("instance", "", "instance id, e.g. payment-1 (required)")
	version := fs.String("version", "v1", "version label")
	app := fs.String("app", "", "host:port of the local service process (may be set later on the admin endpoint)")
	cp := fs.String("controlplane", "", "control plane URL (required)")
	timeout := fs.Duration("timeout", 0, "per-route timeout for outbound calls (0: default)")
	retries := fs.Int("retries", 1, "basic retries for idempotent outbound calls")
	inAddr := fs.String("inbound", "127.0.0.1:0", "inbound address (what the mesh dials)")
	outAddr := fs.String("outbound", "127.0.0.1:0", "outbound address (what the local service dials)")
	adminAddr := fs.String("admin", "127.0.0.1:0", "admin address (loopback)")
	ip := fs.String("ip", "", "the pod's own address: outbound calls are dialed from it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := required(fs, "service", "instance", "controlplane"); err != nil {
		return err
	}
	log = log.With("instance", *instance)
	fp := newFaultPlane(log, *instance, *ip)
	sc, err := sidecar.New(sidecar.Config{
		Service: *service, Instance: *instance, Version: *version, App: *app,
		Timeout: *timeout, Retries: *retries, Token: token(), Logger: log,
		Inbound: []proxy.Middleware{fp.http.Middleware}, Transport: fp.transport(),
	})
	if err != nil {
		return err
	}
	in, err := listen("inbound", *inAddr, 0, faults.Abortable(sc.Inbound()))
	if err != nil {
		return err
	}
	out, err := listen("outbound", *outAddr, 0, sc.Outbound())
	if err != nil {
		return err
	}
	adm, err := listen("admin", *adminAddr, 0, fp.admin(sc.Admin()))
	if err != nil {
		return err
	}

	client := controlplane.NewClient(*cp, log)
	reg := client.Register(ctx, controlplane.Instance{
		ID: *instance, Service: *service, Addr: in.ln.Addr().String(),
		Labels: map[string]string{"app": *service, "version": *version},
		Ready:  *app != "",
	})
	sc.OnAppChange(reg.SetReady)
	go watch(ctx, log, client, sc.Update)
	return serve(ctx, log, "sidecar", []listener{fp.listener(in), out, adm})
}
