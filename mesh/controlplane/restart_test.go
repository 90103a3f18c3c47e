package controlplane

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/meshlab/meshlab/internal/meshtest"
)

func TestControlPlaneRestart(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("waits out an outage and the resync grace")
	}
	first := startServer(t, ServerOptions{})
	c := NewClient(first.url, meshtest.Logger(t))
	register(t, c, instance("user-1", "user"))
	reg, _ := register(t, c, instance("order-1", "order"))
	rec := watch(t, first.url)
	both := func(s Snapshot) bool { return has(s, "user-1") && has(s, "order-1") }
	before := rec.await(t, "both instances", both)

	first.stop()
	assert.True(t, both(first.cp.Snapshot()), "a closing control plane removes nobody")
	time.Sleep(700 * time.Millisecond) // the outage: clients retry at their backoff cap
	assert.Equal(t, before.snap.Version, rec.await(t, "", func(Snapshot) bool { return true }).snap.Version,
		"no snapshot while the control plane is down")

	second := startServerOn(t, first.addr(), ServerOptions{})
	start := time.Now()
	got := rec.await(t, "the restarted control plane's snapshot", func(s Snapshot) bool {
		return second.cp.store.issued(s.Version)
	})
	t.Logf("watcher resynced %v after the restart", got.at.Sub(start))
	assert.True(t, both(got.snap), "re-registered before the watcher resynced: %v", ids(got.snap))
	assert.True(t, both(second.cp.Snapshot()))
	assert.Greater(t, got.snap.Version, before.snap.Version, "versions go on upward")
	for _, s := range rec.all() {
		assert.True(t, both(s.snap), "version %d: %v", s.snap.Version, ids(s.snap))
	}

	// The new registration is live: readiness still reaches the watcher.
	reg.SetReady(false)
	rec.await(t, "order-1 not ready", func(s Snapshot) bool { return !has(s, "order-1") })
}
