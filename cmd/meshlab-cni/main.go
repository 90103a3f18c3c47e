// Command meshlab-cni is the node network agent of meshlab's kind node image (package
// clusters/kind/cni): it runs as a host-network DaemonSet pod on every node and needs
// NODE_NAME and POD_SUBNET. It reaches the API server at CONTROL_PLANE_ENDPOINT (host:port,
// which kind patches in) rather than the in-cluster Service address, which needs kube-proxy,
// which needs the network; KUBERNETES_SERVICE_HOST/PORT when that is unset.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/meshlab/meshlab/clusters/kind/cni"
)

const saDir = "/var/run/secrets/kubernetes.io/serviceaccount/"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "meshlab-cni: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	node, subnet := os.Getenv("NODE_NAME"), os.Getenv("POD_SUBNET")
	if node == "" || subnet == "" {
		return fmt.Errorf("NODE_NAME and POD_SUBNET must be set")
	}
	ep := os.Getenv("CONTROL_PLANE_ENDPOINT")
	if ep == "" {
		h, p := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
		if h == "" || p == "" {
			return fmt.Errorf("neither CONTROL_PLANE_ENDPOINT nor KUBERNETES_SERVICE_HOST/PORT is set")
		}
		ep = net.JoinHostPort(h, p)
	}
	l, err := cni.NewAPILister("https://"+ep, saDir+"ca.crt", saDir+"token")
	if err != nil {
		return err
	}
	a := &cni.Agent{Node: node, PodSubnet: subnet, List: l.List, Log: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	return a.Run(ctx)
}
