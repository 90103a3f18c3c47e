package runcwrap

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostLimits are this machine's: no CAP_SYS_RESOURCE, oom_score_adj 0, a hard NOFILE limit.
var hostLimits = Limits{OOMScoreAdj: 0, HardLimits: map[string]uint64{"RLIMIT_NOFILE": 1048576}}

func process(t *testing.T, spec []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(spec, &doc))
	return doc["process"].(map[string]any)
}

func TestEditSpecDropsSysResourceFromDockerPrivileged(t *testing.T) {
	t.Parallel()
	// Recorded from Docker 20.10.24 here: `docker run --privileged` asks for every capability.
	in, err := os.ReadFile("testdata/docker-privileged-config.json")
	require.NoError(t, err)
	out, changes, err := EditSpec(in, hostLimits)
	require.NoError(t, err)
	assert.Len(t, changes, 3) // bounding, effective, permitted (Docker sets no inheritable)
	caps := process(t, out)["capabilities"].(map[string]any)
	for set, list := range caps {
		assert.NotContains(t, list, CapSysResource, set)
		assert.Contains(t, list, "CAP_SYS_ADMIN", set)
		assert.Len(t, list, 37, set)
	}
	// everything else is as it was
	var before, after map[string]any
	require.NoError(t, json.Unmarshal(in, &before))
	require.NoError(t, json.Unmarshal(out, &after))
	delete(before["process"].(map[string]any), "capabilities")
	delete(after["process"].(map[string]any), "capabilities")
	assert.Equal(t, before, after)
}

func TestEditSpecNodeSandbox(t *testing.T) {
	t.Parallel()
	// Recorded inside a kind node (containerd 1.6.20's CRI, Kubernetes v1.34.3): the pause
	// sandbox asks for oom_score_adj -998, below the node's 0, which needs the capability.
	in, err := os.ReadFile("testdata/node-sandbox-config.json")
	require.NoError(t, err)
	out, changes, err := EditSpec(in, hostLimits)
	require.NoError(t, err)
	assert.Equal(t, Changes{"oomScoreAdj -998 (below 0)"}, changes)
	p := process(t, out)
	assert.NotContains(t, p, "oomScoreAdj")
	assert.Equal(t, []any{"/pause"}, p["args"])
}

func TestEditSpecNodeContainerAndExecUnchanged(t *testing.T) {
	t.Parallel()
	// A pod's container (oom_score_adj 1000, kind's spec has no rlimits) and a `kubectl exec`
	// process ask for nothing the node lacks: the bytes go to runc as they came.
	for _, f := range []string{"testdata/node-container-config.json", "testdata/node-exec-process.json"} {
		in, err := os.ReadFile(f)
		require.NoError(t, err)
		edit := EditSpec
		if f == "testdata/node-exec-process.json" {
			edit = EditProcess
		}
		out, changes, err := edit(in, hostLimits)
		require.NoError(t, err)
		assert.Empty(t, changes, f)
		assert.Equal(t, in, out, f)
	}
}

func TestEditKeepsWhatIsAllowed(t *testing.T) {
	t.Parallel()
	spec := []byte(`{"ociVersion":"1.0.2","process":{"oomScoreAdj":5,"rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024},{"type":"RLIMIT_CORE","hard":18446744073709551615,"soft":18446744073709551615}],"capabilities":{"bounding":["CAP_CHOWN"]}},"x-unknown":{"a":1}}`)
	out, changes, err := EditSpec(spec, hostLimits)
	require.NoError(t, err)
	assert.Empty(t, changes)
	assert.Equal(t, spec, out)
}

func TestEditClampsRlimitsExactly(t *testing.T) {
	t.Parallel()
	spec := []byte(`{"process":{"rlimits":[{"type":"RLIMIT_NOFILE","hard":18446744073709551615,"soft":1024}]}}`)
	out, changes, err := EditSpec(spec, hostLimits)
	require.NoError(t, err)
	assert.Equal(t, Changes{"rlimit RLIMIT_NOFILE hard 18446744073709551615 -> 1048576"}, changes)
	assert.JSONEq(t, `{"process":{"rlimits":[{"type":"RLIMIT_NOFILE","hard":1048576,"soft":1024}]}}`, string(out))
}

func TestEditProcessForExec(t *testing.T) {
	t.Parallel()
	proc := []byte(`{"args":["sh"],"oomScoreAdj":-999,"capabilities":{"bounding":["CAP_SYS_RESOURCE","CAP_NET_ADMIN"],"effective":["CAP_SYS_RESOURCE"]}}`)
	out, changes, err := EditProcess(proc, hostLimits)
	require.NoError(t, err)
	assert.Len(t, changes, 3)
	assert.JSONEq(t, `{"args":["sh"],"capabilities":{"bounding":["CAP_NET_ADMIN"],"effective":[]}}`, string(out))
}

func TestEditNothingWithTheCapability(t *testing.T) {
	t.Parallel()
	in, err := os.ReadFile("testdata/docker-privileged-config.json")
	require.NoError(t, err)
	out, changes, err := EditSpec(in, Limits{HasSysResource: true})
	require.NoError(t, err)
	assert.Empty(t, changes)
	assert.Equal(t, in, out)
}

func TestEditRejectsBadJSON(t *testing.T) {
	t.Parallel()
	_, _, err := EditSpec([]byte(`{"process":`), hostLimits)
	assert.ErrorContains(t, err, "decoding spec")
}

func TestTarget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		path string
		kind Kind
	}{
		{"containerd shim create", []string{"--root", "/run/containerd/runc/k8s.io", "--log", "/x/log.json", "--log-format", "json", "create", "--bundle", "/b", "--pid-file", "/b/init.pid", "id"}, "/b/config.json", Spec},
		{"bundle equals", []string{"create", "--bundle=/b", "id"}, "/b/config.json", Spec},
		{"short bundle", []string{"--systemd-cgroup", "run", "-b", "rel", "id"}, "/wd/rel/config.json", Spec},
		{"bundle is cwd", []string{"create", "id"}, "/wd/config.json", Spec},
		{"exec process", []string{"--root", "/r", "exec", "--process", "/tmp/p.json", "--detach", "id"}, "/tmp/p.json", Process},
		{"exec inline", []string{"exec", "id", "ls"}, "", None},
		{"state", []string{"--root", "/r", "state", "id"}, "", None},
		{"no command", []string{"--version"}, "", None},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path, kind := Target(tc.args, "/wd")
			assert.Equal(t, tc.path, path)
			assert.Equal(t, tc.kind, kind)
		})
	}
}
