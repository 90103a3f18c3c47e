package kind

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"time"

	"sigs.k8s.io/kind/pkg/cluster"
	kindcmd "sigs.k8s.io/kind/pkg/cmd"
)

// DefaultName is the cluster make kind-up creates.
const DefaultName = "meshlab"

// Options configure Up; a zero field takes its default.
type Options struct {
	Name       string        // DefaultName; overrides the config's name
	Config     string        // a kind Cluster config file (clusters/kind.yaml); kind's one-node default when empty
	Image      string        // the node image every node runs (required)
	Kubeconfig string        // kind's default rules ($KUBECONFIG, else ~/.kube/config) when empty
	Wait       time.Duration // for the control plane to be Ready: 3 minutes
	Logger     *slog.Logger  // discards when nil
}

// Cluster is a kind cluster this process created or found.
type Cluster struct {
	Name       string
	Kubeconfig string // explicit path, or "" for kind's default rules
	provider   *cluster.Provider
}

// ErrExists is returned by Up when a cluster of that name already runs.
var ErrExists = errors.New("cluster exists")

func newProvider() *cluster.Provider {
	return cluster.NewProvider(cluster.ProviderWithDocker(), cluster.ProviderWithLogger(kindcmd.NewLogger()))
}

// Get returns the cluster of that name, or an error when there is none.
func Get(name, kubeconfig string) (*Cluster, error) {
	p := newProvider()
	names, err := p.List()
	if err != nil {
		return nil, fmt.Errorf("listing kind clusters: %w", err)
	}
	for _, n := range names {
		if n == name {
			return &Cluster{Name: name, Kubeconfig: kubeconfig, provider: p}, nil
		}
	}
	return nil, fmt.Errorf("no kind cluster named %q", name)
}

// Up creates the cluster and waits for its control plane. If ctx ends first, or creating
// fails, the cluster is deleted before Up returns.
func Up(ctx context.Context, o Options) (*Cluster, error) {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if o.Wait == 0 {
		o.Wait = 3 * time.Minute
	}
	if o.Image == "" {
		return nil, errors.New("a node image is required (meshlab kind node-image builds it)")
	}
	c := &Cluster{Name: o.Name, Kubeconfig: o.Kubeconfig, provider: newProvider()}
	if names, err := c.provider.List(); err != nil {
		return nil, fmt.Errorf("listing kind clusters (is Docker running? make docker): %w", err)
	} else if contains(names, o.Name) {
		return nil, fmt.Errorf("kind cluster %q: %w (make kind-down deletes it)", o.Name, ErrExists)
	}
	opts := []cluster.CreateOption{cluster.CreateWithNodeImage(o.Image), cluster.CreateWithWaitForReady(o.Wait),
		cluster.CreateWithKubeconfigPath(o.Kubeconfig), cluster.CreateWithDisplayUsage(false), cluster.CreateWithDisplaySalutation(false)}
	if o.Config != "" {
		if _, err := os.Stat(o.Config); err != nil {
			return nil, fmt.Errorf("cluster config: %w", err)
		}
		opts = append(opts, cluster.CreateWithConfigFile(o.Config))
	}
	done := make(chan error, 1)
	go func() { done <- c.provider.Create(o.Name, opts...) }()
	select {
	case err := <-done:
		if err != nil {
			_ = c.Down() // kind deletes a failed cluster itself; this makes sure
			return nil, fmt.Errorf("creating kind cluster %q: %w", o.Name, err)
		}
		return c, nil
	case <-ctx.Done():
		// kind's create cannot be cancelled: delete the nodes under it, let it fail, delete again.
		_ = c.Down()
		select {
		case <-done:
		case <-time.After(2 * time.Minute):
		}
		if err := c.Down(); err != nil {
			return nil, fmt.Errorf("interrupted; deleting kind cluster %q: %w", o.Name, err)
		}
		return nil, ctx.Err()
	}
}

// Down deletes the cluster: its node containers, its kubeconfig entry, and kind's Docker
// network when no container is left on it (kind keeps it for the next cluster; a network
// nothing uses is gone as if kind had never run). Deleting a cluster that is gone is not an
// error.
func (c *Cluster) Down() error {
	if err := c.kindProvider().Delete(c.Name, c.Kubeconfig); err != nil {
		return fmt.Errorf("deleting kind cluster %q: %w", c.Name, err)
	}
	return removeUnusedNetwork(kindNetwork)
}

// kindNetwork is the Docker network kind puts nodes on.
const kindNetwork = "kind"

func removeUnusedNetwork(name string) error {
	out, err := exec.Command("docker", "network", "inspect", name, "--format", "{{len .Containers}}").Output()
	if err != nil || strings.TrimSpace(string(out)) != "0" {
		return nil // gone already, or in use
	}
	if out, err := exec.Command("docker", "network", "rm", name).CombinedOutput(); err != nil {
		return fmt.Errorf("removing docker network %s: %w: %s", name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// KubeconfigData returns the cluster's kubeconfig for the host (API server on 127.0.0.1).
func (c *Cluster) KubeconfigData() ([]byte, error) {
	cfg, err := c.kindProvider().KubeConfig(c.Name, false)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig of %q: %w", c.Name, err)
	}
	return []byte(cfg), nil
}

// kindProvider is the cluster's provider; a Cluster made as a literal gets one on first use.
func (c *Cluster) kindProvider() *cluster.Provider {
	if c.provider == nil {
		c.provider = newProvider()
	}
	return c.provider
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
