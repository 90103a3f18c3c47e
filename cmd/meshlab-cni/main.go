// Command meshlab-cni is the node network agent of meshlab's kind node image (package
// clusters/kind/cni): it runs as a host-network DaemonSet pod on every node and needs
// NODE_NAME and POD_SUBNET; CONTROL_PLANE_ENDPOINT (host:port, which kind patches in) is used
// instead of the in-cluster Service address, which needs kube-proxy, which needs the network.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

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
	cfg, err := config()
	if err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("kubernetes client: %w", err)
	}
	a := &cni.Agent{Node: node, PodSubnet: subnet, List: lister(cs), Log: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	return a.Run(ctx)
}

func config() (*rest.Config, error) {
	ep := os.Getenv("CONTROL_PLANE_ENDPOINT")
	if ep == "" {
		cfg, err := rest.InClusterConfig()
		if err != nil {
			return nil, fmt.Errorf("in-cluster config: %w", err)
		}
		return cfg, nil
	}
	return &rest.Config{Host: "https://" + ep, BearerTokenFile: saDir + "token",
		TLSClientConfig: rest.TLSClientConfig{CAFile: saDir + "ca.crt"}}, nil
}

func lister(cs kubernetes.Interface) cni.NodeLister {
	return func(ctx context.Context) ([]cni.Node, error) {
		list, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		out := make([]cni.Node, 0, len(list.Items))
		for _, n := range list.Items {
			cn := cni.Node{Name: n.Name, PodCIDRs: n.Spec.PodCIDRs}
			if len(cn.PodCIDRs) == 0 && n.Spec.PodCIDR != "" {
				cn.PodCIDRs = []string{n.Spec.PodCIDR}
			}
			for _, a := range n.Status.Addresses {
				if a.Type == "InternalIP" && cn.InternalIP == "" {
					cn.InternalIP = a.Address
				}
			}
			out = append(out, cn)
		}
		return out, nil
	}
}
