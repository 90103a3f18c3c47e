package local

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/clusters"
)

func podChaos(t *testing.T, name, action, extra string, selected ...string) clusters.Fault {
	return chaosFault(t, fmt.Sprintf(`
apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata: {name: %s}
spec:
  action: %s
  mode: one
  selector: {labelSelectors: {app: payment}}
%s`, name, action, extra), selected)
}

func TestFaultPodKillRestartsWithinDelay(t *testing.T) {
	m := needMesh(t)
	waitHealthy(t, m)
	p := podByID(t, m, "payment-2")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := watchInstance(ctx, m, "payment", p.id)
	w.waitFor(t, true, 5*time.Second)
	oldApp, oldSidecar := p.app.PID(), p.sidecar.PID()
	injected := time.Now()
	inject(t, m, podChaos(t, "payment-pod-kill", "pod-kill", "", p.id))
	w.waitFor(t, false, 2*time.Second)
	back := w.waitFor(t, true, 10*time.Second).Sub(injected)
	t.Logf("pod-kill: back in the snapshot %v after injection (restart delay %v); pids %d/%d → %d/%d",
		back, m.restartDelay(), oldApp, oldSidecar, p.app.PID(), p.sidecar.PID())
	assert.LessOrEqual(t, back, m.restartDelay()+time.Second)
	assert.NotEqual(t, oldApp, p.app.PID())
	assert.NotEqual(t, oldSidecar, p.sidecar.PID())
}

func TestFaultContainerKillSidecarOnly(t *testing.T) {
	m := needMesh(t)
	waitHealthy(t, m)
	p := podByID(t, m, "payment-1")
	oldApp, oldSidecar := p.app.PID(), p.sidecar.PID()
	injected := time.Now()
	inject(t, m, podChaos(t, "payment-sidecar-kill", "container-kill", "  containerNames: [sidecar]", p.id))
	deadline := time.Now().Add(m.restartDelay() + 5*time.Second)
	for (p.sidecar.PID() == oldSidecar || p.sidecar.Addrs() == nil) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("container-kill sidecar: sidecar pid %d → %d after %v; service pid %d → %d",
		oldSidecar, p.sidecar.PID(), time.Since(injected), oldApp, p.app.PID())
	assert.NotEqual(t, oldSidecar, p.sidecar.PID(), "the sidecar restarted")
	assert.Equal(t, oldApp, p.app.PID(), "the service process kept running")
}

// payDirect makes a payment at one instance's service port, bypassing the mesh.
func payDirect(t *testing.T, p *pod, key string) (code int, replayed string) {
	t.Helper()
	resp := call(t, "POST", "http://"+p.app.Addrs()["http"]+"/payments",
		map[string]any{"amountCents": 777, "currency": "USD", "card": "tok_visa"},
		map[string]string{"Idempotency-Key": key}, nil)
	return resp.StatusCode, resp.Header.Get("Idempotent-Replayed")
}

func instanceCharges(t *testing.T, p *pod) int {
	t.Helper()
	var out struct{ Charges int }
	resp := call(t, "GET", "http://"+p.app.Addrs()["http"]+"/internal/stats", nil, nil, &out)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return out.Charges
}

func TestFaultPodFailureLosesInMemoryState(t *testing.T) {
	m := needMesh(t)
	waitHealthy(t, m)
	p := podByID(t, m, "payment-0")
	key := fmt.Sprintf("pod-failure-%d", time.Now().UnixNano())
	code, _ := payDirect(t, p, key)
	require.Equal(t, http.StatusCreated, code)
	code, replayed := payDirect(t, p, key)
	require.Equal(t, "true", replayed, "before the fault a replay is answered from the idempotency record")
	before := instanceCharges(t, p)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := watchInstance(ctx, m, "payment", p.id)
	w.waitFor(t, true, 5*time.Second)
	oldPID := p.app.PID()
	inj, err := m.Inject(context.Background(), podChaos(t, "payment-failure", "pod-failure", "  duration: 2s", p.id))
	require.NoError(t, err)
	t.Cleanup(func() { _ = inj.Remove(context.Background()); waitHealthy(t, m) })
	w.waitFor(t, false, 2*time.Second)
	sidecarCode, _, err := do(client, "POST", "http://"+p.sidecar.Addrs()["inbound"]+"/payments", bodyFor("/payments", 1), nil)
	require.NoError(t, err)
	time.Sleep(2 * time.Second) // the fault's duration
	assert.Nil(t, p.app.Addrs(), "the service stays down for the duration")
	require.NoError(t, inj.Remove(context.Background()))
	w.waitFor(t, true, 10*time.Second)

	after := instanceCharges(t, p)
	code, replayed = payDirect(t, p, key)
	require.Equal(t, http.StatusCreated, code)
	t.Logf("pod-failure: sidecar answered %d while down; service pid %d → %d; charges %d before, %d after cold start, %d after replay (replayed header %q)",
		sidecarCode, oldPID, p.app.PID(), before, after, instanceCharges(t, p), replayed)
	assert.Equal(t, http.StatusServiceUnavailable, sidecarCode)
	assert.NotEqual(t, oldPID, p.app.PID())
	assert.Empty(t, replayed, "the idempotency record is gone")
	assert.Equal(t, after+1, instanceCharges(t, p), "the replay charges again")
}
