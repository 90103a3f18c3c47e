package kube

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/clusters/realize"
)

// Defaults of Options.
const (
	DefaultRolloutTimeout = 3 * time.Minute
	DefaultDownTimeout    = 60 * time.Second
)

// Options configure the kube backend; the zero value uses the usual kubeconfig rules.
type Options struct {
	// Name is the backend's name: "kube" unless set (the kind backend hands over as "kind").
	Name string
	// Kubeconfig is the kubeconfig file; "": $KUBECONFIG, else ~/.kube/config. Context names
	// one of its contexts; "": its current one.
	Kubeconfig, Context string
	// Image is the meshd image the pods run, by a tag derived from its digest (never pulled:
	// the nodes have it, from meshlab image push or a kind load). Required.
	Image string
	// GatewayURL is where the host reaches the gateway (kind maps GatewayNodePort on
	// 127.0.0.1); "": a port-forward from a local port to the gateway pod.
	GatewayURL      string
	GatewayNodePort int32
	// RolloutTimeout bounds waiting for every Deployment; 0: DefaultRolloutTimeout.
	RolloutTimeout time.Duration
	// KillContainer SIGKILLs a container's process by its runtime ID on its node (kind: ctr on
	// the node); nil: the pod's other meshd does it, in the pod's shared process namespace.
	KillContainer func(ctx context.Context, node, containerID string) error
	Logger        *slog.Logger
}

type backend struct{ o Options }

// New returns the kube backend.
func New(o Options) clusters.Backend {
	if o.Name == "" {
		o.Name = "kube"
	}
	if o.RolloutTimeout == 0 {
		o.RolloutTimeout = DefaultRolloutTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &backend{o: o}
}

func (b *backend) Name() string { return b.o.Name }

// RestConfig is the client configuration the kubeconfig rules give for kubeconfig and context.
func RestConfig(kubeconfig, context string) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: context}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("no access to a cluster: %w (give --kubeconfig and --context, or set KUBECONFIG)", err)
	}
	cfg.QPS, cfg.Burst = 50, 100
	return cfg, nil
}

// Up applies the mesh's manifests in a namespace of the run's own, waits for every rollout and
// for the gateway to route to every instance. On error the namespace is deleted before Up
// returns.
func (b *backend) Up(ctx context.Context, spec clusters.Spec) (clusters.Mesh, error) {
	began := time.Now()
	if b.o.Image == "" {
		return nil, errors.New("no meshd image: give --image REF (meshlab image push REF pushes one)")
	}
	spec.Topology.Default()
	cfg, err := RestConfig(b.o.Kubeconfig, b.o.Context)
	if err != nil {
		return nil, err
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	if err := reachable(ctx, client, cfg); err != nil {
		return nil, err
	}
	m := &kubeMesh{b: b, spec: spec, ns: NamespaceFor(spec.RunID), client: client, dyn: dyn, log: b.o.Logger,
		fw: newForwarder(cfg, client), transports: map[string]*podTransport{}}
	m.faults = realize.New(m)
	if err := m.up(ctx); err != nil {
		dctx, cancel := context.WithTimeout(context.Background(), DefaultDownTimeout)
		defer cancel()
		if derr := m.Down(dctx); derr != nil {
			err = errors.Join(err, derr)
		}
		return nil, err
	}
	m.ready = time.Since(began)
	m.log.Info("mesh ready", "backend", b.o.Name, "namespace", m.ns, "gateway", m.GatewayURL(), "took", m.ready.Round(time.Millisecond))
	return m, nil
}

// reachable checks that the API server answers, within a few seconds.
func reachable(ctx context.Context, client kubernetes.Interface, cfg *rest.Config) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := client.Discovery().ServerVersion()
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("no access to the cluster at %s: %w (is it up? kubectl cluster-info tells)", cfg.Host, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("no access to the cluster at %s: no answer within 10s (is it up? kubectl cluster-info tells)", cfg.Host)
	}
}

var _ clusters.Backend = (*backend)(nil)
