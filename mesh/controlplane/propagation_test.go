package controlplane

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/meshlab/meshlab/internal/meshtest"
)

// TestPropagationDelay: with a propagation delay, an instance whose registration ended stays
// in the snapshot for that long — as a deleted pod stays in Kubernetes endpoints until the
// change has propagated — and then leaves.
func TestPropagationDelay(t *testing.T) {
	t.Parallel()
	const delay = 600 * time.Millisecond
	ts := startServer(t, ServerOptions{PropagationDelay: delay})
	rec := watch(t, ts.url)
	c := NewClient(ts.url, meshtest.Logger(t))
	_, cancel := register(t, c, instance("payment-0", "payment"))
	rec.await(t, "payment-0 registered", func(s Snapshot) bool { return has(s, "payment-0") })

	ended := time.Now()
	cancel()
	left := rec.await(t, "payment-0 removed", func(s Snapshot) bool { return !has(s, "payment-0") })
	took := left.at.Sub(ended)
	assert.GreaterOrEqual(t, took, delay, "removed before the propagation delay")
	assert.Less(t, took, delay+time.Second)
}
