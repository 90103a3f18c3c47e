package main

import (
	"context"
	"flag"
	"log/slog"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/faults"
	"github.com/meshlab/meshlab/mesh/gateway"
	"github.com/meshlab/meshlab/mesh/proxy"
	"github.com/meshlab/meshlab/mesh/telemetry"
)

func runGateway(ctx context.Context, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	addr := fs.String("listen", "127.0.0.1:0", "public address")
	adminAddr := fs.String("admin", "127.0.0.1:0", "admin address (loopback)")
	healthAddr := fs.String("health", "", "address of the readiness endpoint a kubelet probes (GET /healthz/ready: ready once it has the control plane's first snapshot); empty: none")
	cp := fs.String("controlplane", "", "control plane URL (required)")
	timeout := fs.Duration("timeout", 0, "per-route timeout (0: default)")
	retries := fs.Int("retries", 1, "basic retries for idempotent requests")
	ip := fs.String("ip", "", "the gateway's own address: calls into the mesh are dialed from it")
	namespace := fs.String("namespace", "default", "namespace of the gateway's SPIFFE identity")
	settle := wakeupFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := settle(); err != nil {
		return err
	}
	if err := required(fs, "controlplane"); err != nil {
		return err
	}
	fp := newFaultPlane(log, "gateway", *ip)
	sec, err := newSecurity(log, *cp, *namespace, "gateway")
	if err != nil {
		return err
	}
	met := telemetry.New("gateway", "gateway")
	gw, err := gateway.New(gateway.Config{Timeout: *timeout, Retries: *retries, Logger: log, Token: token(),
		Request:       []proxy.Middleware{met.Outbound("gateway"), telemetry.Trace, fp.http.Middleware},
		Transport:     sec.transport(fp.transport()),
		OnRateLimited: met.RateLimited})
	if err != nil {
		return err
	}
	client := controlplane.NewClient(*cp, log)
	var first synced
	go sec.run(ctx)
	go watch(ctx, log, client, func(snap controlplane.Snapshot) {
		gw.Update(snap)
		sec.setPolicy(gw.Policy())
		first.Store(true)
	})

	met.WatchProxy(gw.Resilience())
	met.WatchFaults(fp.http)
	met.WatchNet(fp.net)
	met.WatchCounter(adminapi.NameMTLSFailures, "Failed outbound mTLS handshakes.", "",
		func() map[string]float64 { return map[string]float64{"": float64(sec.src.Stats().HandshakeFailures)} })
	pubSide := telemetry.Side{Name: adminapi.SidePublic, Source: telemetry.Const("client")}
	pub, err := listen("http", *addr, 0, met.Middleware(pubSide)(faults.Abortable(gw)))
	if err != nil {
		return err
	}
	adm, err := listen("admin", *adminAddr, 0, withMetrics(met, withStats(fp.admin(gw.Admin()), func() adminapi.StatsView {
		return adminapi.StatsView{Resilience: gw.Resilience().Stats(), Identity: sec.src.Stats()}
	})))
	if err != nil {
		return err
	}
	lns := []listener{fp.listener(pub), adm}
	if *healthAddr != "" {
		h, err := listen("health", *healthAddr, 0, healthHandler(first.ready))
		if err != nil {
			return err
		}
		lns = append(lns, h)
	}
	return serve(ctx, log, "gateway", lns)
}

// watch feeds control-plane snapshots to fn until ctx ends; the client itself rides out a lost
// control plane, keeping the last snapshot in force.
func watch(ctx context.Context, log *slog.Logger, c *controlplane.Client, fn func(controlplane.Snapshot)) {
	if err := c.Watch(ctx, fn); err != nil && ctx.Err() == nil {
		log.Error("watch ended", "err", err)
	}
}
