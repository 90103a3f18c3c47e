package kube

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/meshlab/meshlab/mesh/services"
	"github.com/meshlab/meshlab/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden manifests under testdata/")

func catalogue(t *testing.T) *scenarios.Catalog {
	t.Helper()
	cat, err := scenarios.LoadFile("../../scenarios.yaml", []string{"local"})
	require.NoError(t, err)
	return cat
}

func layoutOf(sc scenarios.Scenario) Layout {
	return Layout{RunID: sc.Name + "-golden", Image: "meshlab/meshd:golden", Token: "golden-token",
		Topology: sc.Topology, Seed: sc.Seed, GatewayNodePort: 30080}
}

// TestManifestsGolden pins the manifests of every catalogue scenario (go test -run Golden
// -update rewrites them).
func TestManifestsGolden(t *testing.T) {
	t.Parallel()
	for _, sc := range catalogue(t).Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			got, err := YAML(Manifests(layoutOf(sc)))
			require.NoError(t, err)
			golden := filepath.Join("testdata", sc.Name+".yaml")
			if *update {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		})
	}
}

// TestManifestsFollowTheTopology: one Deployment per service and version with the topology's
// replicas, the pod's labels what Chaos Mesh selectors select, the sidecar a native sidecar,
// every port but the mesh-facing ones on 127.0.0.1, images never pulled.
func TestManifestsFollowTheTopology(t *testing.T) {
	t.Parallel()
	var canary scenarios.Scenario
	for _, sc := range catalogue(t).Scenarios {
		if sc.Name == "canary-split" {
			canary = sc
		}
	}
	require.Equal(t, "canary-split", canary.Name)
	objs := Manifests(layoutOf(canary))
	deps := map[string]*appsv1.Deployment{}
	for _, o := range objs {
		if d, ok := o.(*appsv1.Deployment); ok {
			deps[d.Name] = d
		}
	}
	total := map[string]int32{}
	for _, w := range Workloads(canary.Topology) {
		d := deps[w.Name]
		require.NotNil(t, d, w.Name)
		total[w.App] += *d.Spec.Replicas
		labels := d.Spec.Template.Labels
		assert.Equal(t, w.App, labels["app"])
		assert.Equal(t, w.Version, labels["version"])
		assert.Equal(t, ManagedBy, labels[LabelManagedBy])
		pod := d.Spec.Template.Spec
		require.Len(t, pod.InitContainers, 1)
		sc := pod.InitContainers[0]
		require.NotNil(t, sc.RestartPolicy)
		assert.Equal(t, corev1.ContainerRestartPolicyAlways, *sc.RestartPolicy, "a native sidecar")
		assert.Equal(t, "/healthz/ready", sc.ReadinessProbe.HTTPGet.Path)
		for _, c := range append(pod.InitContainers, pod.Containers...) {
			assert.Equal(t, corev1.PullIfNotPresent, c.ImagePullPolicy, "never pulled")
			for i, a := range c.Args {
				if a == "--listen" || a == "--outbound" || a == "--admin" || a == "--app" {
					assert.Contains(t, c.Args[i+1], "127.0.0.1:", "%s %s stays inside the pod", c.Name, a)
				}
			}
		}
	}
	assert.Equal(t, int32(canary.Topology.Replicas["payment"]), total["payment"])
	assert.Equal(t, map[string]int32{"v1": 2, "v2": 1}, map[string]int32{"v1": *deps["payment-v1"].Spec.Replicas, "v2": *deps["payment-v2"].Spec.Replicas})
}

// TestWorkFlagParses: the service time a manifest passes is one meshd's service accepts.
func TestWorkFlagParses(t *testing.T) {
	t.Parallel()
	for _, sc := range catalogue(t).Scenarios {
		for svc, st := range sc.Topology.ServiceTime {
			_, err := services.ParseWorkTime(st.WorkFlag())
			assert.NoError(t, err, "%s: %s", sc.Name, svc)
		}
	}
}

func TestNamespaceFor(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "meshlab-baseline-20261204-161500-123", NamespaceFor("baseline-20261204-161500.123"))
	long := NamespaceFor("a-very-long-scenario-name-that-goes-on-and-on-20261204-161500.123")
	assert.LessOrEqual(t, len(long), 63)
	assert.NotEqual(t, byte('-'), long[len(long)-1])
}
