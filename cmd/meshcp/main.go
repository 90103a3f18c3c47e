// Command meshcp is the mesh's control plane on Kubernetes: mesh/controlplane's server (policy
// distribution, the CA, the watch API the sidecars and the gateway use) with its endpoints from
// Kubernetes instead of registrations — the EndpointSlices of the mesh's Services, as the
// kubelet's readiness probes make them (clusters/kube/discovery). It is a binary of its own so
// that meshd, which every sidecar runs, does not link client-go.
//
//	meshcp --namespace NS [--listen ADDR] [--ca-dir DIR]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/meshlab/meshlab/clusters/kube/discovery"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/proc"
	"github.com/meshlab/meshlab/scenarios"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "meshcp: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("meshcp", flag.ContinueOnError)
	addr := fs.String("listen", "0.0.0.0:15010", "address to serve the control plane's API on")
	ns := fs.String("namespace", "", "the namespace whose EndpointSlices and pods are the mesh (required)")
	caDir := fs.String("ca-dir", "", "directory keeping the CA root across restarts; \"\": in memory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ns == "" {
		return errors.New("--namespace is required")
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	token := os.Getenv(proc.EnvToken)
	cfg, err := rest.InClusterConfig()
	if err != nil {
		return fmt.Errorf("meshcp runs in a pod: %w", err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ca, err := controlplane.NewCA(controlplane.CAOptions{Dir: *caDir, Token: token, Logger: log})
	if err != nil {
		return err
	}
	srv := controlplane.NewServer(controlplane.ServerOptions{Token: token, CA: ca, Logger: log})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(ln) }()
	go func() {
		errc <- discovery.Run(ctx, client, *ns, scenarios.Services, srv.SetInstances, log)
	}()
	log.Info("control plane serving", "addr", ln.Addr(), "namespace", *ns)
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
