package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
)

func checkNodes(ctx context.Context, t *testing.T, e *env) {
	want := e.record.Versions.Kubernetes
	require.NoError(t, waitFor(ctx, "every node Ready", 3*time.Minute, func() (bool, error) {
		list, err := e.cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil || len(list.Items) == 0 {
			return false, nil
		}
		for _, n := range list.Items {
			if !nodeReady(n) {
				return false, nil
			}
		}
		return true, nil
	}))
	list, err := e.cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for _, n := range list.Items {
		info := n.Status.NodeInfo
		assert.True(t, strings.HasPrefix(info.ContainerRuntimeVersion, "containerd://"), "%s runtime %s", n.Name, info.ContainerRuntimeVersion)
		assert.Equal(t, want, info.KubeletVersion, "%s kubelet", n.Name)
		t.Logf("node %s Ready: kubelet %s, %s, kernel %s", n.Name, info.KubeletVersion, info.ContainerRuntimeVersion, info.KernelVersion)
	}
}

func nodeReady(n corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// checkVersions runs the kubectl built into the node against the API server, and asks the
// API server itself through client-go.
func checkVersions(ctx context.Context, t *testing.T, e *env) {
	want := e.record.Versions.Kubernetes
	out, err := exec.CommandContext(ctx, "docker", "exec", e.node, "kubectl", "--kubeconfig=/etc/kubernetes/admin.conf", "version", "-o", "json").Output()
	require.NoError(t, err, "kubectl version")
	var v struct {
		Client struct{ GitVersion, GitTreeState, BuildDate string } `json:"clientVersion"`
		Server struct{ GitVersion string }                          `json:"serverVersion"`
	}
	require.NoError(t, json.Unmarshal(out, &v), string(out))
	assert.Equal(t, want, v.Client.GitVersion, "kubectl client")
	assert.Equal(t, want, v.Server.GitVersion, "kubectl's server")
	sv, err := e.cs.Discovery().ServerVersion()
	require.NoError(t, err)
	assert.Equal(t, want, sv.GitVersion, "API server")
	t.Logf("kubectl %s (built %s, tree %s), server %s", v.Client.GitVersion, v.Client.BuildDate, v.Client.GitTreeState, sv.GitVersion)
}

// checkSystemImages waits for kube-proxy, CoreDNS and meshlab-cni to run and compares the image
// each container runs with the digests the build record holds for its name.
func checkSystemImages(ctx context.Context, t *testing.T, e *env) {
	byRef := map[string][]string{}
	for _, img := range e.record.Images {
		byRef[img.Ref] = []string{img.ID, img.Manifest}
	}
	for _, sel := range []string{"k8s-app=kube-proxy", "k8s-app=kube-dns", "k8s-app=meshlab-cni"} {
		var pods []corev1.Pod
		require.NoError(t, waitFor(ctx, sel+" running and ready", 3*time.Minute, func() (bool, error) {
			list, err := e.cs.CoreV1().Pods("kube-system").List(ctx, metav1.ListOptions{LabelSelector: sel})
			if err != nil || len(list.Items) == 0 {
				return false, nil
			}
			pods = list.Items
			for _, p := range pods {
				if !podReady(p) {
					return false, nil
				}
			}
			return true, nil
		}), sel)
		for _, p := range pods {
			for _, cs := range p.Status.ContainerStatuses {
				ref := normalize(cs.Image)
				digests, ok := byRef[ref]
				if !assert.True(t, ok, "%s runs %s, which the build record does not hold", p.Name, cs.Image) {
					continue
				}
				id, err := imageConfigDigest(ctx, p.Spec.NodeName, cs.ImageID)
				if !assert.NoError(t, err, p.Name) {
					continue
				}
				assert.Equal(t, digests[0], id, "%s runs %s as image %s; the record has %v", p.Name, ref, id, digests)
				t.Logf("%s: %s, image ID %s as recorded", p.Name, ref, id)
			}
		}
	}
}

func podReady(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// normalize makes a short image name (meshlab/cni:x) the full one containerd reports.
func normalize(ref string) string {
	if strings.Count(ref, "/") == 1 && !strings.Contains(strings.Split(ref, "/")[0], ".") {
		return "docker.io/" + ref
	}
	return ref
}

// imageConfigDigest asks the node's CRI which image a container runs (the kubelet's imageID
// is a repo digest or an image ID) and returns that image's ID, its config digest: it names the
// content (config and every layer's diff ID). The manifest digest would not do: `ctr images
// import` of a docker archive writes a manifest of its own.
func imageConfigDigest(ctx context.Context, node, imageID string) (string, error) {
	out, err := exec.CommandContext(ctx, "docker", "exec", node, "crictl", "images", "-o", "json").Output()
	if err != nil {
		return "", fmt.Errorf("crictl images on %s: %w", node, err)
	}
	var v struct {
		Images []struct {
			ID          string   `json:"id"`
			RepoDigests []string `json:"repoDigests"`
		} `json:"images"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return "", fmt.Errorf("crictl images: %w", err)
	}
	for _, img := range v.Images {
		if img.ID == imageID {
			return img.ID, nil
		}
		for _, d := range img.RepoDigests {
			if d == imageID {
				return img.ID, nil
			}
		}
	}
	return "", fmt.Errorf("no image %s on %s", imageID, node)
}

// checkNothingLeft: no container of the cluster, no kind network this run made, no
// kubeconfig entry.
func checkNothingLeft(t *testing.T, name, kubeconfig string, networkBefore bool) {
	out, err := exec.Command("docker", "ps", "-a", "-q", "--filter", "label=io.x-k8s.kind.cluster="+name).Output()
	require.NoError(t, err)
	assert.Empty(t, strings.TrimSpace(string(out)), "containers left by the cluster")
	out, err = exec.Command("docker", "ps", "-a", "--format", "{{.Names}}").Output()
	require.NoError(t, err)
	for _, n := range strings.Fields(string(out)) {
		assert.False(t, strings.HasPrefix(n, name+"-") || strings.HasPrefix(n, "meshlab-kind-build-"), "container %s left", n)
	}
	if !networkBefore {
		assert.False(t, dockerNetworkExists("kind"), "docker network kind left")
	}
	if _, err := os.Stat(kubeconfig); err == nil {
		cfg, err := clientcmd.LoadFromFile(kubeconfig)
		require.NoError(t, err)
		assert.NotContains(t, cfg.Contexts, "kind-"+name, "kubeconfig context left")
		assert.NotContains(t, cfg.Clusters, "kind-"+name, "kubeconfig cluster left")
	}
}

func dockerNetworkExists(name string) bool {
	return exec.Command("docker", "network", "inspect", name).Run() == nil
}

// waitFor polls cond every second until it is true, the timeout passes or ctx ends.
func waitFor(ctx context.Context, what string, timeout time.Duration, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last error: %v)", what, ctx.Err(), last)
		case <-time.After(time.Second):
		}
	}
}
