package identity_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/identitytest"
	"github.com/meshlab/meshlab/mesh/identity"
)

// TestTTLFuncIsAskedAtEveryRenewal: a lifetime that changes at run time (a policy's certTTL)
// applies to the next certificate.
func TestTTLFuncIsAskedAtEveryRenewal(t *testing.T) {
	t.Parallel()
	ca := identitytest.StartCA(t)
	var ttl atomic.Int64
	ttl.Store(int64(time.Hour))
	src, err := identity.New(identity.Options{CAURL: ca.URL(), Token: identitytest.Token, Namespace: identitytest.Namespace, Service: "payment",
		TTL: time.Minute, TTLFunc: func() time.Duration { return time.Duration(ttl.Load()) }})
	require.NoError(t, err)
	ctx := context.Background()

	require.NoError(t, src.Rotate(ctx))
	life := time.Until(src.Certificate().Leaf.NotAfter)
	assert.InDelta(t, time.Hour.Seconds(), life.Seconds(), 60, "TTLFunc wins over TTL")

	ttl.Store(int64(10 * time.Second))
	require.NoError(t, src.Rotate(ctx))
	life = time.Until(src.Certificate().Leaf.NotAfter)
	assert.InDelta(t, 10, life.Seconds(), 5, "the changed lifetime applies to the next certificate")
}
