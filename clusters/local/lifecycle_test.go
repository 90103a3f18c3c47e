package local

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/proctest"
	"github.com/meshlab/meshlab/scenarios"
)

// TestDownKeepsTheCallersDeadline: a process that exited waits restartDelay before it is
// started again; Down ends that wait at once and returns within the caller's deadline, with
// nothing left running, even when restartDelay is far longer than the deadline.
func TestDownKeepsTheCallersDeadline(t *testing.T) {
	needMesh(t)
	dir := t.TempDir()
	spec := testSpec(dir)
	spec.Topology.Replicas = map[string]int{"user": 1, "product": 1, "order": 1, "payment": 1}
	spec.Topology.RestartDelay = scenarios.Duration{Duration: 30 * time.Second}
	m := upPrivate(t, spec)

	user := podByID(t, m, "user-0")
	user.app.signal(0)
	require.Eventually(t, func() bool { return user.app.Addrs() == nil }, 5*time.Second, 10*time.Millisecond,
		"the killed service is down, its restart waiting 30 s")

	const deadline = 3 * time.Second
	dctx, dcancel := context.WithTimeout(context.Background(), deadline)
	defer dcancel()
	start := time.Now()
	err := m.Down(dctx)
	took := time.Since(start)
	require.NoError(t, err)
	assert.Less(t, took, deadline, "Down returned within the caller's deadline")
	t.Logf("Down took %v with a restart pending (restartDelay 30s)", took.Round(time.Millisecond))
	assert.Equal(t, err, m.Down(context.Background()), "a second Down returns the first one's result")

	recs, err := proctest.ReadRecords(dir)
	require.NoError(t, err)
	assert.Empty(t, proctest.Leftovers(recs, os.Getpid()))
}
