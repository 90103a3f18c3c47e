package e2e

import (
	"context"
	"fmt"
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
	vegeta "github.com/tsenart/vegeta/v12/lib"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/meshlab/meshlab/clusters/kind"
	"github.com/meshlab/meshlab/clusters/kind/nodeimage"
)

// TestKindWorkers measures clusters of 0, 1 and 2 workers (MESHLAB_KIND_WORKERS=1): create
// time, memory, and the latency of the baseline scenario's rate (200 rps for 25 s) through a
// NodePort mapped on 127.0.0.1 to 4 meshd replicas spread over the nodes. docs/kind.md has the
// figures and the choice they led to.
func TestKindWorkers(t *testing.T) {
	if os.Getenv("MESHLAB_KIND_WORKERS") != "1" {
		t.Skip("set MESHLAB_KIND_WORKERS=1 to measure 0, 1 and 2 workers")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	repo, err := filepath.Abs("../../..")
	require.NoError(t, err)
	img, err := nodeimage.Build(ctx, nodeimage.Options{RepoDir: repo, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	require.NoError(t, err)
	base, err := os.ReadFile(filepath.Join(repo, "clusters/kind.yaml"))
	require.NoError(t, err)
	for _, workers := range []int{0, 1, 2} {
		cfg := filepath.Join(t.TempDir(), "kind.yaml")
		require.NoError(t, os.WriteFile(cfg, []byte(string(base)+strings.Repeat("- role: worker\n", workers)), 0o644))
		measureWorkers(ctx, t, repo, img.Image, cfg, workers)
		if ctx.Err() != nil {
			t.Fatal("interrupted")
		}
	}
}

func measureWorkers(ctx context.Context, t *testing.T, repo, image, cfg string, workers int) {
	start := time.Now()
	c, err := kind.Up(ctx, kind.Options{Name: "meshlab-workers", Config: cfg, Image: image, Kubeconfig: filepath.Join(t.TempDir(), "kubeconfig")})
	require.NoError(t, err)
	defer func() { require.NoError(t, c.Down()) }()
	created := time.Since(start)
	raw, err := c.KubeconfigData()
	require.NoError(t, err)
	rc, err := clientcmd.RESTConfigFromKubeConfig(raw)
	require.NoError(t, err)
	e := &env{cluster: c, repo: repo, tmp: t.TempDir(), ns: "default"}
	e.cs, err = kubernetes.NewForConfig(rc)
	require.NoError(t, err)
	require.NoError(t, waitFor(ctx, "nodes Ready", 3*time.Minute, func() (bool, error) {
		list, err := e.cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil || len(list.Items) != workers+1 {
			return false, nil
		}
		for _, n := range list.Items {
			if !nodeReady(n) {
				return false, nil
			}
		}
		return true, nil
	}))
	ready := time.Since(start)
	checkDeployment(ctx, t, e)
	dep, err := e.cs.AppsV1().Deployments(e.ns).Get(ctx, "meshd-e2e", metav1.GetOptions{})
	require.NoError(t, err)
	*dep.Spec.Replicas = 4
	_, err = e.cs.AppsV1().Deployments(e.ns).Update(ctx, dep, metav1.UpdateOptions{})
	require.NoError(t, err)
	require.NoError(t, e.waitReplicas(ctx, "", 4))
	svc, err := e.cs.CoreV1().Services(e.ns).Get(ctx, "meshd-e2e", metav1.GetOptions{})
	require.NoError(t, err)
	svc.Spec.Type = corev1.ServiceTypeNodePort
	svc.Spec.Ports[0].NodePort = 30080
	svc.Spec.Ports[0].TargetPort = intstr.FromInt32(8080)
	_, err = e.cs.CoreV1().Services(e.ns).Update(ctx, svc, metav1.UpdateOptions{})
	require.NoError(t, err)
	time.Sleep(3 * time.Second) // kube-proxy's rules

	m := attack(ctx, 200, 25*time.Second)
	mem, _ := exec.CommandContext(ctx, "docker", "stats", "--no-stream", "--format", "{{.Name}}={{.MemUsage}} cpu={{.CPUPerc}}").Output()
	t.Logf("workers=%d created=%s nodesReady=%s | 200 rps 25 s via 127.0.0.1:30080: success=%.4f p50=%s p90=%s p99=%s max=%s | %s",
		workers, created.Round(100*time.Millisecond), ready.Round(100*time.Millisecond), m.Success,
		m.Latencies.P50.Round(10*time.Microsecond), m.Latencies.P90.Round(10*time.Microsecond), m.Latencies.P99.Round(10*time.Microsecond),
		m.Latencies.Max.Round(10*time.Microsecond), strings.Join(strings.Fields(string(mem)), " "))
}

// attack drives rate rps at the NodePort on 127.0.0.1 for d: bounded in count and time.
func attack(ctx context.Context, rate int, d time.Duration) vegeta.Metrics {
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: "http://127.0.0.1:30080/users/1"})
	a := vegeta.NewAttacker(vegeta.Timeout(5 * time.Second))
	var m vegeta.Metrics
	for res := range a.Attack(tr, vegeta.Rate{Freq: rate, Per: time.Second}, d, fmt.Sprintf("%drps", rate)) {
		m.Add(res)
		if ctx.Err() != nil {
			a.Stop()
		}
	}
	m.Close()
	return m
}
