package e2e

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/meshlab/meshlab/clusters/kind"
	"github.com/meshlab/meshlab/clusters/kind/nodeimage"
)

// env is what every check uses.
type env struct {
	cluster *kind.Cluster
	cs      kubernetes.Interface
	record  nodeimage.Record
	node    string // the control-plane node's container
	ns      string // the test's namespace
	repo    string
	tmp     string
}

// TestKindE2E creates the cluster from clusters/kind.yaml on the node image, checks it is a
// real cluster, deletes it and checks nothing is left. SIGINT or SIGTERM at any point ends
// the checks and still deletes the cluster.
func TestKindE2E(t *testing.T) {
	if os.Getenv("MESHLAB_KIND_E2E") != "1" {
		t.Skip("set MESHLAB_KIND_E2E=1 (make kind-e2e) to create a kind cluster")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	repo, err := filepath.Abs("../../..")
	require.NoError(t, err)
	name := envOr("MESHLAB_KIND_E2E_NAME", "meshlab-e2e")
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	networkBefore := dockerNetworkExists("kind")

	img, err := nodeimage.Build(ctx, nodeimage.Options{RepoDir: repo, Logger: log})
	require.NoError(t, err, "node image")
	start := time.Now()
	config := envOr("MESHLAB_KIND_E2E_CONFIG", filepath.Join(repo, "clusters/kind.yaml")) // e.g. one with workers
	c, err := kind.Up(ctx, kind.Options{Name: name, Config: config, Image: img.Image, Kubeconfig: kubeconfig})
	require.NoError(t, err, "creating the cluster")
	t.Logf("cluster %s created in %s", name, time.Since(start).Round(100*time.Millisecond))
	deleted := false
	defer func() {
		if !deleted {
			if err := c.Down(); err != nil {
				t.Errorf("deleting the cluster: %v", err)
			}
		}
	}()

	e := &env{cluster: c, repo: repo, tmp: t.TempDir(), ns: "meshlab-e2e"}
	raw, err := c.KubeconfigData()
	require.NoError(t, err)
	cfg, err := clientcmd.RESTConfigFromKubeConfig(raw)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(cfg.Host, "https://127.0.0.1:"), "API server on 127.0.0.1, got %s", cfg.Host)
	e.cs, err = kubernetes.NewForConfig(cfg)
	require.NoError(t, err)
	nodes, err := c.Nodes()
	require.NoError(t, err)
	for _, n := range nodes {
		if r, _ := n.Role(); r == "control-plane" {
			e.node = n.String()
		}
	}
	out, err := exec.CommandContext(ctx, "docker", "exec", e.node, "cat", nodeimage.RecordPath).Output()
	require.NoError(t, err, "reading the build record")
	require.NoError(t, json.Unmarshal(out, &e.record))

	for _, check := range []struct {
		name string
		run  func(context.Context, *testing.T, *env)
	}{
		{"nodes ready on containerd with the pinned kubelet", checkNodes},
		{"kubectl version client and server pinned", checkVersions},
		{"kube-proxy CoreDNS and CNI run the recorded images", checkSystemImages},
		{"namespace", createNamespace},
		{"PVC bound written and read back from a replacement pod", checkVolume},
		{"meshd deployment rolls out", checkDeployment},
		{"pod reaches the service by DNS name", checkServiceDNS},
		{"deleted pod is replaced", checkReplacement},
	} {
		if ctx.Err() != nil {
			t.Fatalf("interrupted before %q: deleting the cluster", check.name)
		}
		if !t.Run(strings.ReplaceAll(check.name, " ", "_"), func(t *testing.T) { check.run(ctx, t, e) }) && check.name == "namespace" {
			t.FailNow()
		}
	}

	start = time.Now()
	require.NoError(t, c.Down(), "deleting the cluster")
	deleted = true
	t.Logf("cluster %s deleted in %s", name, time.Since(start).Round(100*time.Millisecond))
	checkNothingLeft(t, name, kubeconfig, networkBefore)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
