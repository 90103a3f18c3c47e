package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/meshlab/meshlab/clusters/kind/ociimage"
)

func createNamespace(ctx context.Context, t *testing.T, e *env) {
	_, err := e.cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: e.ns}}, metav1.CreateOptions{})
	require.NoError(t, err)
}

// shellImage is the busybox image the node holds (the local-path helper).
func (e *env) shellImage(t *testing.T) string {
	for _, img := range e.record.Images {
		if strings.Contains(img.Ref, "local-path-helper") {
			return img.Ref
		}
	}
	t.Fatal("the build record has no local-path-helper image")
	return ""
}

// runPod runs a one-shot busybox pod to completion and returns its log.
func (e *env) runPod(ctx context.Context, t *testing.T, name, script string, vol *corev1.Volume) string {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.PodSpec{
		RestartPolicy: corev1.RestartPolicyNever,
		Containers: []corev1.Container{{Name: "sh", Image: e.shellImage(t), ImagePullPolicy: corev1.PullIfNotPresent,
			Command: []string{"sh", "-c", script}}},
	}}
	if vol != nil {
		pod.Spec.Volumes = []corev1.Volume{*vol}
		pod.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: vol.Name, MountPath: "/data"}}
	}
	_, err := e.cs.CoreV1().Pods(e.ns).Create(ctx, pod, metav1.CreateOptions{})
	require.NoError(t, err)
	var phase corev1.PodPhase
	err = waitFor(ctx, "pod "+name+" to complete", 3*time.Minute, func() (bool, error) {
		p, err := e.cs.CoreV1().Pods(e.ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		phase = p.Status.Phase
		return phase == corev1.PodSucceeded || phase == corev1.PodFailed, nil
	})
	logs, _ := e.cs.CoreV1().Pods(e.ns).GetLogs(name, &corev1.PodLogOptions{}).Do(ctx).Raw()
	require.NoError(t, err, "pod %s: %s", name, logs)
	require.Equal(t, corev1.PodSucceeded, phase, "pod %s: %s", name, logs)
	return string(logs)
}

func checkVolume(ctx context.Context, t *testing.T, e *env) {
	pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "data"}, Spec: corev1.PersistentVolumeClaimSpec{
		AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
		Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("16Mi")}},
	}}
	_, err := e.cs.CoreV1().PersistentVolumeClaims(e.ns).Create(ctx, pvc, metav1.CreateOptions{})
	require.NoError(t, err)
	vol := &corev1.Volume{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}}
	proof := fmt.Sprintf("meshlab-%d", time.Now().UnixNano())
	e.runPod(ctx, t, "writer", "echo "+proof+" > /data/proof && sync", vol)
	got, err := e.cs.CoreV1().PersistentVolumeClaims(e.ns).Get(ctx, "data", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, corev1.ClaimBound, got.Status.Phase, "PVC phase")
	read := e.runPod(ctx, t, "reader", "cat /data/proof", vol)
	assert.Equal(t, proof, strings.TrimSpace(read), "what the replacement pod read")
	t.Logf("PVC %s bound to %s; written by one pod, read back by another", got.Name, got.Spec.VolumeName)
}

// checkDeployment builds a static meshd, packs it as a one-layer image, loads it into every
// node and rolls out 2 replicas of it behind a Service.
func checkDeployment(ctx context.Context, t *testing.T, e *env) {
	bin := filepath.Join(e.tmp, "meshd")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "./cmd/meshd")
	build.Dir, build.Env = e.repo, append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "building meshd: %s", out)
	img, err := ociimage.Static(bin, "/usr/local/bin/meshd", ociimage.Config{})
	require.NoError(t, err)
	d, err := ociimage.DigestsOf(img)
	require.NoError(t, err)
	ref := "meshlab/meshd:e2e-" + strings.TrimPrefix(d.Manifest, "sha256:")[:12]
	archive := filepath.Join(e.tmp, "meshd.tar")
	require.NoError(t, ociimage.WriteArchive(archive, ref, img))
	start := time.Now()
	require.NoError(t, e.cluster.LoadArchive(ctx, archive))
	t.Logf("loaded %s into every node in %s", ref, time.Since(start).Round(10*time.Millisecond))

	labels := map[string]string{"app": "meshd-e2e"}
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "meshd-e2e"}, Spec: appsv1.DeploymentSpec{
		Replicas: ptr.To[int32](2), Selector: &metav1.LabelSelector{MatchLabels: labels},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "meshd", Image: ref, ImagePullPolicy: corev1.PullIfNotPresent,
				Args:  []string{"service", "--service", "user", "--instance", "$(POD_NAME)", "--listen", "0.0.0.0:8080"},
				Env:   []corev1.EnvVar{{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}},
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				ReadinessProbe: &corev1.Probe{PeriodSeconds: 1, ProbeHandler: corev1.ProbeHandler{
					HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}},
			}},
		}},
	}}
	_, err = e.cs.AppsV1().Deployments(e.ns).Create(ctx, dep, metav1.CreateOptions{})
	require.NoError(t, err)
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "meshd-e2e"}, Spec: corev1.ServiceSpec{
		Selector: labels, Ports: []corev1.ServicePort{{Name: "http", Port: 8080, TargetPort: intstr.FromInt32(8080)}}}}
	_, err = e.cs.CoreV1().Services(e.ns).Create(ctx, svc, metav1.CreateOptions{})
	require.NoError(t, err)
	start = time.Now()
	require.NoError(t, e.waitReplicas(ctx, "", 2))
	t.Logf("deployment meshd-e2e: 2 replicas ready in %s", time.Since(start).Round(100*time.Millisecond))
}

// waitReplicas waits until the deployment has n ready pods and none of them is gone.
func (e *env) waitReplicas(ctx context.Context, gone string, n int) error {
	return waitFor(ctx, fmt.Sprintf("%d ready meshd-e2e pods", n), 3*time.Minute, func() (bool, error) {
		list, err := e.cs.CoreV1().Pods(e.ns).List(ctx, metav1.ListOptions{LabelSelector: "app=meshd-e2e"})
		if err != nil {
			return false, err
		}
		ready := 0
		for _, p := range list.Items {
			if p.Name == gone {
				return false, nil
			}
			if podReady(p) && p.DeletionTimestamp == nil {
				ready++
			}
		}
		return ready == n, nil
	})
}

// checkServiceDNS: a pod reaches meshd through its Service by DNS name (CoreDNS, kube-proxy).
// Debian's busybox-static wget crashes in a static glibc's NSS calls, so the pod asks CoreDNS
// with busybox's own nslookup, then sends the request with nc to the address it got: the
// Service's ClusterIP.
func checkServiceDNS(ctx context.Context, t *testing.T, e *env) {
	name := "meshd-e2e." + e.ns + ".svc.cluster.local"
	script := `for i in $(seq 1 30); do
  ip=$(nslookup ` + name + ` 2>/dev/null | awk '/^Address/ && !/:53$/ {a=$NF} END {print a}')
  if [ -n "$ip" ] && printf 'GET /users/1 HTTP/1.0\r\nHost: meshd-e2e\r\n\r\n' | nc -w 5 "$ip" 8080 | grep '"id":1'; then echo "resolved $ip"; exit 0; fi
  sleep 1
done
exit 1`
	out := e.runPod(ctx, t, "client", script, nil)
	assert.Contains(t, out, `"id":1`, "the answer through the Service")
	svc, err := e.cs.CoreV1().Services(e.ns).Get(ctx, "meshd-e2e", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Contains(t, out, "resolved "+svc.Spec.ClusterIP, "the name resolved to the Service's ClusterIP")
	t.Logf("GET http://%s:8080/users/1 → %s", name, strings.ReplaceAll(strings.TrimSpace(out), "\n", " "))
}

// checkReplacement deletes one meshd pod; its ReplicaSet replaces it.
func checkReplacement(ctx context.Context, t *testing.T, e *env) {
	list, err := e.cs.CoreV1().Pods(e.ns).List(ctx, metav1.ListOptions{LabelSelector: "app=meshd-e2e"})
	require.NoError(t, err)
	require.NotEmpty(t, list.Items)
	victim := list.Items[0].Name
	start := time.Now()
	require.NoError(t, e.cs.CoreV1().Pods(e.ns).Delete(ctx, victim, metav1.DeleteOptions{}))
	require.NoError(t, e.waitReplicas(ctx, victim, 2))
	t.Logf("pod %s deleted and replaced; 2 ready again in %s", victim, time.Since(start).Round(100*time.Millisecond))
}
