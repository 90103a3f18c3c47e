package identitytest

import (
	"crypto/tls"
	"net/http"
	"sync/atomic"
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

// TestStrangers: an mTLS server of payment refuses each stranger before its handler runs (Go's
// TLS server answers plain HTTP with a 400 of its own), and admits its own mesh's caller.
func TestStrangers(t *testing.T) {
	t.Parallel()
	ca := StartCA(t)
	payment, order := Source(t, ca.URL(), "payment", 0), Source(t, ca.URL(), "order", 0)
	var served atomic.Int64
	addr := meshtest.ServeOn(t, tls.NewListener(meshtest.Listen(t, "127.0.0.1:0"), payment.ServerConfig()),
		&http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { served.Add(1) })})

	strangers := Strangers(t, addr, "payment")
	require.Len(t, strangers, 3)
	for _, s := range strangers {
		a, err := meshtest.Fetch(s.Client, http.MethodGet, s.URL)
		if err == nil {
			assert.Equal(t, http.StatusBadRequest, a.Code, s.Name)
		}
	}
	assert.Zero(t, served.Load(), "no stranger reached the handler")
	a, err := meshtest.Fetch(meshtest.TLSClient(order.ClientConfig("payment"), false), http.MethodGet, "https://"+addr+"/")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, a.Code)
	assert.EqualValues(t, 1, served.Load())
}
