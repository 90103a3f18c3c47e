package kind

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"sigs.k8s.io/kind/pkg/cluster/nodes"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/clusters/image"
	"github.com/meshlab/meshlab/clusters/kind/nodeimage"
	"github.com/meshlab/meshlab/clusters/kube"
	"github.com/meshlab/meshlab/mesh/policy"
)

// GatewayNodePort is the gateway's node port; clusters/kind.yaml maps it on 127.0.0.1.
const GatewayNodePort = 30080

// RunClusterPrefix names the clusters runs create: meshlab clean deletes those left behind.
const RunClusterPrefix = "meshlab-run-"

// BackendOptions configure the kind backend.
type BackendOptions struct {
	// Cluster is an existing cluster to run on (left as it was, the run's namespace gone);
	// "": create one for the run from Config, deleted at its end unless Keep.
	Cluster string
	Keep    bool
	// Config is the kind Cluster config of a cluster the run creates (clusters/kind.yaml); it
	// must map GatewayNodePort on 127.0.0.1.
	Config string
	// NodeImage builds (or finds) the node image of a cluster the run creates.
	NodeImage nodeimage.Options
	// Meshd is the meshd binary; meshcp is beside it.
	Meshd          string
	RolloutTimeout time.Duration
	Logger         *slog.Logger
}

type backend struct{ o BackendOptions }

// NewBackend returns the kind backend: a kind cluster (created, or reused with Cluster), the
// mesh image loaded into its nodes, then the kube backend on it.
func NewBackend(o BackendOptions) clusters.Backend {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &backend{o: o}
}

func (b *backend) Name() string { return "kind" }

// Up implements clusters.Backend.
func (b *backend) Up(ctx context.Context, spec clusters.Spec) (clusters.Mesh, error) {
	img, ref, err := b.meshImage()
	if err != nil {
		return nil, err
	}
	kubeconfig := filepath.Join(spec.Dir, "kubeconfig")
	c, created, err := b.cluster(ctx, spec, kubeconfig)
	if err != nil {
		return nil, err
	}
	m := &kindMesh{c: c, created: created, keep: b.o.Keep, log: b.o.Logger}
	fail := func(err error) (clusters.Mesh, error) {
		if derr := m.deleteCluster(); derr != nil {
			err = errors.Join(err, derr)
		}
		return nil, err
	}
	if err := b.load(ctx, c, ref, img); err != nil {
		return fail(err)
	}
	ko := kube.Options{Name: "kind", Kubeconfig: kubeconfig, Image: ref, RolloutTimeout: b.o.RolloutTimeout,
		KillContainer: c.KillContainer, Logger: b.o.Logger}
	if hostPort := c.GatewayHostPort(); hostPort != "" {
		ko.GatewayURL, ko.GatewayNodePort = "http://"+hostPort, GatewayNodePort // else a port-forward
	}
	inner, err := kube.New(ko).Up(ctx, spec)
	if err != nil {
		return fail(err)
	}
	m.Mesh = inner
	return m, nil
}

// meshImage packs meshd and meshcp, and names the image by its digest.
func (b *backend) meshImage() (v1.Image, string, error) {
	img, err := image.Mesh(image.Binaries(b.o.Meshd))
	if err != nil {
		return nil, "", err
	}
	ref, err := image.Tag(image.Repository, img)
	return img, ref, err
}

// cluster finds the cluster to reuse, or creates one named for the run; its kubeconfig for
// the host is written to kubeconfig either way.
func (b *backend) cluster(ctx context.Context, spec clusters.Spec, kubeconfig string) (*Cluster, bool, error) {
	if b.o.Cluster != "" {
		c, err := Get(b.o.Cluster, "")
		if err != nil {
			return nil, false, fmt.Errorf("%w (meshlab kind up creates one; without --cluster the run creates its own)", err)
		}
		data, err := c.KubeconfigData()
		if err != nil {
			return nil, false, err
		}
		if err := os.WriteFile(kubeconfig, data, 0o600); err != nil {
			return nil, false, err
		}
		return c, false, nil
	}
	res, err := nodeimage.Build(ctx, b.o.NodeImage)
	if err != nil {
		return nil, false, fmt.Errorf("the kind node image: %w (make kind-image builds it)", err)
	}
	c, err := Up(ctx, Options{Name: RunClusterName(spec.RunID), Config: b.o.Config, Image: res.Image,
		Kubeconfig: kubeconfig, Logger: b.o.Logger})
	if err != nil {
		return nil, false, err
	}
	return c, true, nil
}

// RunClusterName is the name of the cluster a run creates: RunClusterPrefix and the run id, as
// short as kind's node names need.
func RunClusterName(runID string) string {
	id := kube.RunLabel(runID)
	if len(id) > 30 {
		id = strings.TrimRight(id[len(id)-30:], "-.")
	}
	return RunClusterPrefix + strings.Trim(strings.ReplaceAll(id, ".", "-"), "-")
}

// load loads the image into every node that does not hold it yet.
func (b *backend) load(ctx context.Context, c *Cluster, ref string, img v1.Image) error {
	ns, err := c.Nodes()
	if err != nil {
		return err
	}
	for _, n := range ns {
		if !hasImage(n, ref) {
			start := time.Now()
			if err := c.LoadImage(ctx, ref, img); err != nil {
				return fmt.Errorf("loading %s into the cluster's nodes: %w", ref, err)
			}
			b.o.Logger.Info("mesh image loaded", "image", ref, "took", time.Since(start).Round(time.Millisecond))
			return nil
		}
	}
	return nil
}

// hasImage reports whether the node's containerd has ref.
func hasImage(n nodes.Node, ref string) bool {
	out, err := nodeExec(n, "ctr", "-n", "k8s.io", "images", "ls", "-q", "name==docker.io/"+ref)
	return err == nil && strings.TrimSpace(out) != ""
}

// GatewayHostPort is where the host reaches GatewayNodePort of the control-plane node
// (clusters/kind.yaml maps it on 127.0.0.1), or "" when the cluster maps no such port.
func (c *Cluster) GatewayHostPort() string {
	out, err := osexec.Command("docker", "port", c.Name+"-control-plane", fmt.Sprintf("%d/tcp", GatewayNodePort)).Output()
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.HasPrefix(line, "127.0.0.1:") {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// KillContainer SIGKILLs a container by its runtime ID through the node's containerd (as Chaos
// Mesh's daemon does through the runtime): the kubelet then restarts it.
func (c *Cluster) KillContainer(ctx context.Context, node, containerID string) error {
	ns, err := c.Nodes()
	if err != nil {
		return err
	}
	for _, n := range ns {
		if n.String() == node {
			if out, err := nodeExec(n, "ctr", "-n", "k8s.io", "task", "kill", "-s", "SIGKILL", containerID); err != nil {
				return fmt.Errorf("killing container %s on %s: %w: %s", containerID, node, err, strings.TrimSpace(out))
			}
			return nil
		}
	}
	return fmt.Errorf("no node %q in kind cluster %s", node, c.Name)
}

func nodeExec(n nodes.Node, name string, args ...string) (string, error) {
	var out strings.Builder
	cmd := n.Command(name, args...)
	cmd.SetStdout(&out)
	cmd.SetStderr(&out)
	err := cmd.Run()
	return out.String(), err
}

// kindMesh is the kube mesh on a kind cluster; its Down deletes the cluster the run created.
type kindMesh struct {
	clusters.Mesh
	c       *Cluster
	created bool
	keep    bool
	log     *slog.Logger
}

// Down takes the mesh down, then deletes the cluster the run created unless kept.
func (m *kindMesh) Down(ctx context.Context) error {
	err := m.Mesh.Down(ctx)
	return errors.Join(err, m.deleteCluster())
}

func (m *kindMesh) deleteCluster() error {
	if !m.created || m.keep {
		return nil
	}
	m.log.Info("deleting the run's kind cluster", "cluster", m.c.Name)
	return m.c.Down()
}

// Inject, SetPolicy and MetricsTargets forward the kube mesh's optional abilities.
func (m *kindMesh) SetPolicy(ctx context.Context, p policy.MeshPolicy) (uint64, error) {
	return m.Mesh.(clusters.PolicySetter).SetPolicy(ctx, p)
}

func (m *kindMesh) Inject(ctx context.Context, f clusters.Fault) (clusters.Injection, error) {
	return m.Mesh.(clusters.Injector).Inject(ctx, f)
}

func (m *kindMesh) MetricsTargets() []clusters.MetricsTarget {
	return m.Mesh.(clusters.MetricsSource).MetricsTargets()
}

var (
	_ clusters.Injector      = (*kindMesh)(nil)
	_ clusters.PolicySetter  = (*kindMesh)(nil)
	_ clusters.MetricsSource = (*kindMesh)(nil)
)

// CleanRuns deletes every kind cluster a run created (named RunClusterPrefix…) and left behind,
// and returns their names.
func CleanRuns() ([]string, error) {
	names, err := newProvider().List()
	if err != nil {
		return nil, fmt.Errorf("listing kind clusters (is Docker running? make docker): %w", err)
	}
	var removed []string
	var errs []error
	for _, n := range names {
		if !strings.HasPrefix(n, RunClusterPrefix) {
			continue
		}
		if err := (&Cluster{Name: n}).Down(); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, n)
	}
	return removed, errors.Join(errs...)
}
