package main

import (
	"context"
	"flag"
	"log/slog"
	"net/http"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/faults"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
	"github.com/meshlab/meshlab/mesh/sidecar"
	"github.com/meshlab/meshlab/mesh/telemetry"
)

func runSidecar(ctx context.Context, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("sidecar", flag.ContinueOnError)
	service := fs.String("service", "", "the service this sidecar fronts (required)")
	instance := fs.String("instance", "", "instance id, e.g. payment-1 (required)")
	version := fs.String("version", "v1", "version label")
	app := fs.String("app", "", "host:port of the local service process, probed for readiness")
	appProbe := fs.Duration("app-probe", 0, "period of the app's readiness probe (0: 100ms)")
	cp := fs.String("controlplane", "", "control plane URL (required)")
	timeout := fs.Duration("timeout", 0, "per-route timeout for outbound calls (0: default)")
	retries := fs.Int("retries", 1, "basic retries for idempotent outbound calls")
	inAddr := fs.String("inbound", "127.0.0.1:0", "inbound address (what the mesh dials)")
	outAddr := fs.String("outbound", "127.0.0.1:0", "outbound address (what the local service dials)")
	adminAddr := fs.String("admin", "127.0.0.1:0", "admin address (loopback)")
	healthAddr := fs.String("health", "", "address of the readiness endpoint a kubelet probes (GET /healthz/ready); empty: none")
	register := fs.Bool("register", true, "register with the control plane (false where it learns endpoints elsewhere, from Kubernetes)")
	ip := fs.String("ip", "", "the pod's own address: outbound calls are dialed from it")
	namespace := fs.String("namespace", "default", "namespace of the workload's SPIFFE identity")
	workers := fs.Int("workers", 0, "threads running Go code (GOMAXPROCS); 0: one per core")
	memLimit := fs.Int("memory-limit", 0, "soft memory limit in MiB (GOMEMLIMIT): the GC works harder near it; 0: none")
	settle := wakeupFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := settle(); err != nil {
		return err
	}
	if err := setWorkers(*workers); err != nil {
		return err
	}
	if err := setMemoryLimit(*memLimit); err != nil {
		return err
	}
	if err := required(fs, "service", "instance", "controlplane"); err != nil {
		return err
	}
	log = log.With("instance", *instance)
	fp := newFaultPlane(log, *instance, *ip)
	sec, err := newSecurity(log, *cp, *namespace, *service)
	if err != nil {
		return err
	}
	met := telemetry.New("sidecar", *instance)
	var sc *sidecar.Sidecar
	authz := &sidecar.Authz{Service: *service, Policy: func() *policy.Authorization { return sc.AuthorizationPolicy() }}
	sc, err = sidecar.New(sidecar.Config{
		Service: *service, Instance: *instance, Version: *version, App: *app, AppProbe: *appProbe,
		Timeout: *timeout, Retries: *retries, Token: token(), Logger: log,
		Inbound:         []proxy.Middleware{authz.Middleware(), fp.http.Middleware},
		OutboundRequest: []proxy.Middleware{met.Outbound(*service), telemetry.Trace},
		Transport:       sec.transport(fp.transport()),
	})
	if err != nil {
		return err
	}
	met.WatchProxy(sc.Resilience())
	met.WatchFaults(fp.http)
	met.WatchNet(fp.net)
	met.WatchCounter(adminapi.NameAuthzDenied, "Inbound requests refused by authorization (403).", "",
		func() map[string]float64 { return map[string]float64{"": float64(authz.Denied())} })
	met.WatchCounter(adminapi.NameMTLSFailures, "Failed mTLS handshakes, inbound and outbound.", "",
		func() map[string]float64 {
			return map[string]float64{"": float64(sec.inFails.Load() + sec.src.Stats().HandshakeFailures)}
		})
	inSide := telemetry.Side{Name: adminapi.SideInbound, Destination: telemetry.Const(*service),
		Source: func(r *http.Request) string { return sidecar.PeerOf(r).Service }}
	in, err := listen("inbound", *inAddr, 0, met.Middleware(inSide)(faults.Abortable(sc.Inbound())))
	if err != nil {
		return err
	}
	in = fp.listener(in) // network faults below TLS
	in.ln = sidecar.MTLSListener(in.ln, sec.src.ServerConfig(), sec.isStrict, sec.inboundFailed)
	out, err := listen("outbound", *outAddr, 0, sc.Outbound())
	if err != nil {
		return err
	}
	adm, err := listen("admin", *adminAddr, 0, withMetrics(met, withStats(withKill(*instance, fp.admin(sc.Admin())), func() adminapi.StatsView {
		return adminapi.StatsView{Resilience: sc.Resilience().Stats(), Identity: sec.src.Stats(),
			InboundHandshakeFailures: sec.inFails.Load(), AuthzDenied: authz.Denied()}
	})))
	if err != nil {
		return err
	}
	lns := []listener{in, out, adm}
	if *healthAddr != "" {
		h, err := listen("health", *healthAddr, 0, healthHandler(sc.AppReady))
		if err != nil {
			return err
		}
		lns = append(lns, h)
	}

	client := controlplane.NewClient(*cp, log)
	if *register {
		reg := client.Register(ctx, controlplane.Instance{
			ID: *instance, Service: *service, Addr: in.ln.Addr().String(),
			Labels: map[string]string{"app": *service, "version": *version, "pod": *instance},
			Ready:  false, // until the app's first probe
		})
		sc.OnAppChange(reg.SetReady)
	}
	go sc.ProbeApp(ctx)
	go sec.run(ctx)
	go watch(ctx, log, client, func(snap controlplane.Snapshot) {
		sc.Update(snap)
		doc, _ := sc.Policy()
		sec.setPolicy(doc)
	})
	return serve(ctx, log, "sidecar", lns)
}
