package main

import (
	"context"
	"flag"
	"log/slog"
	"net/http"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/services"
	"github.com/meshlab/meshlab/mesh/stress"
)

func runService(ctx context.Context, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("service", flag.ContinueOnError)
	service := fs.String("service", "", "user, product, order or payment (required)")
	instance := fs.String("instance", "", "instance id (required)")
	seed := fs.Uint64("seed", 1, "seed for the data and the work-time draws")
	work := fs.String("work", "", `work time per request: "fixed:5ms" or "lognormal:median=5ms,sigma=0.5"`)
	outbound := fs.String("outbound", "", "base URL of this instance's sidecar outbound listener")
	addr := fs.String("listen", "127.0.0.1:0", "service address (only its sidecar dials it)")
	adminAddr := fs.String("admin", "127.0.0.1:0", "admin address (loopback)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := required(fs, "service", "instance"); err != nil {
		return err
	}
	wt, err := services.ParseWorkTime(*work)
	if err != nil {
		return err
	}
	log = log.With("instance", *instance)
	svc, err := services.New(services.Config{
		Service: *service, Instance: *instance, Seed: *seed, Work: wt, Outbound: *outbound, Logger: log,
	})
	if err != nil {
		return err
	}
	app, err := listen("http", *addr, 0, svc)
	if err != nil {
		return err
	}
	st := stress.New(log)
	defer st.Stop()
	adm, err := listen("admin", *adminAddr, 0, withKill(*instance, adminapi.RequireToken(token(), serviceAdmin(st))))
	if err != nil {
		return err
	}
	return serve(ctx, log, "service", []listener{app, adm})
}

// serviceAdmin is a service process's admin surface: health, and StressChaos run inside the
// process (GET/PUT/DELETE /v1/stress, see stress.Handler).
func serviceAdmin(st *stress.Stressor) http.Handler {
	mux := http.NewServeMux()
	stressH := stress.Handler(st)
	mux.Handle("GET "+adminapi.Stress, stressH)
	mux.Handle("PUT "+adminapi.Stress, stressH)
	mux.Handle("DELETE "+adminapi.Stress, stressH)
	mux.HandleFunc("GET "+adminapi.Health, func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok\n"))
	})
	return mux
}
