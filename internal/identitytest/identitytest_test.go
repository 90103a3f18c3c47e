package identitytest

import (
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/identity"
)

// TestCAStopsAndStartsOnItsAddress: the CA refuses connections once stopped and serves again on
// the same URL once started.
func TestCAStopsAndStartsOnItsAddress(t *testing.T) {
	t.Parallel()
	ca := StartCA(t)
	url := ca.URL()
	roots := func() (meshtest.Answer, error) {
		return meshtest.Fetch(meshtest.Client, http.MethodGet, url+identity.CAPath)
	}
	a, err := roots()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, a.Code)
	assert.Contains(t, a.Body, "BEGIN CERTIFICATE")

	ca.Stop()
	_, err = roots()
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	ca.Start(t)
	assert.Equal(t, url, ca.URL())
	a, err = roots()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, a.Code)
}

// TestSource: a source has its first certificate, of the lifetime asked, when Source returns.
func TestSource(t *testing.T) {
	t.Parallel()
	ca := StartCA(t)
	src := Source(t, ca.URL(), "payment", time.Minute)
	require.NotNil(t, src.Certificate())
	assert.Equal(t, identity.ID(Namespace, "payment"), src.ID())
	assert.WithinDuration(t, time.Now().Add(time.Minute), src.Certificate().Leaf.NotAfter, 10*time.Second)
}
