package controlplane

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStoreVersions(t *testing.T) {
	t.Parallel()
	s := newStore(100)
	snap, changed := s.current()
	assert.Equal(t, uint64(100), snap.Version)
	assert.NotNil(t, snap.Services, "an empty snapshot still encodes services as {}")

	b := instance("b-1", "user")
	a := instance("a-1", "user")
	la := s.put(a)
	lb := s.put(b)
	select {
	case <-changed:
	default:
		t.Fatal("a change did not wake the watchers")
	}
	snap, _ = s.current()
	assert.Equal(t, uint64(102), snap.Version)
	assert.Equal(t, []Instance{a, b}, snap.Services["user"], "sorted by ID")

	s.put(b)
	snap, _ = s.current()
	assert.Equal(t, uint64(102), snap.Version, "registering the same instance again changes nothing")
	assert.False(t, s.remove("b-1", lb), "the first lease of b-1 was replaced")

	notReady := false
	current, readyChanged := s.heartbeat("a-1", la, &notReady)
	require.True(t, current)
	assert.True(t, readyChanged)
	snap, _ = s.current()
	assert.Equal(t, uint64(103), snap.Version)
	assert.Equal(t, []string{"b-1"}, ids(snap), "only ready instances are served")
	assert.True(t, s.issued(101))
	assert.False(t, s.issued(99))
	assert.False(t, s.issued(104))
}

func TestStoreFrozen(t *testing.T) {
	t.Parallel()
	s := newStore(1)
	l := s.put(instance("a-1", "user"))
	s.freeze()
	assert.False(t, s.remove("a-1", l))
	snap, _ := s.current()
	assert.Equal(t, []string{"a-1"}, ids(snap))
}

func TestSnapshotCopy(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{})
	ts.cp.store.put(instance("a-1", "user"))
	got := ts.cp.Snapshot()
	got.Services["user"][0].Labels["app"] = "changed"
	assert.Equal(t, "user", ts.cp.Snapshot().Services["user"][0].Labels["app"])
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	var b backoff
	for range 20 {
		d := b.wait()
		assert.GreaterOrEqual(t, d, backoffMin/2)
		assert.LessOrEqual(t, d, backoffMax)
	}
	b.reset()
	assert.LessOrEqual(t, b.wait(), backoffMin)
}

// TestSetInstances: an external source of truth replaces the whole set; only ready instances
// are served, the same set again publishes nothing, and earlier registrations lose their leases.
func TestSetInstances(t *testing.T) {
	t.Parallel()
	s := NewServer(ServerOptions{ResyncGrace: -1})
	lease := s.store.put(instance("old-1", "user"))
	v0 := s.Snapshot().Version

	a, b := instance("a-1", "user"), instance("b-1", "payment")
	b.Ready = false
	s.SetInstances([]Instance{b, a})
	snap := s.Snapshot()
	assert.Equal(t, v0+1, snap.Version)
	assert.Equal(t, []string{"a-1"}, ids(snap), "the old registration is gone, the unready one not served")
	assert.False(t, s.store.remove("old-1", lease), "its lease is void")

	s.SetInstances([]Instance{a, b})
	assert.Equal(t, v0+1, s.Snapshot().Version, "the same set publishes nothing")
	b.Ready = true
	s.SetInstances([]Instance{a, b})
	snap = s.Snapshot()
	assert.Equal(t, v0+2, snap.Version)
	assert.Equal(t, []string{"a-1", "b-1"}, ids(snap))
	s.SetInstances(nil)
	assert.Empty(t, ids(s.Snapshot()))
}
