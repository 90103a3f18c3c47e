package proxy

import (
	"errors"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failAtDeadline fails a try the moment its context's deadline passes, the way a dial does:
// net.Dialer derives its own timer from the deadline, which may fire before the context's.
func failAtDeadline(req *http.Request) (*http.Response, error) {
	dl, ok := req.Context().Deadline()
	if !ok {
		return nil, errors.New("no deadline")
	}
	for time.Now().Before(dl) {
	}
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
}

func TestTimeoutEndsDialAsTimeout(t *testing.T) {
	t.Parallel()
	rt := Timeout()(RoundTripFunc(failAtDeadline))
	for i := range 20 {
		req, err := http.NewRequest(http.MethodGet, "http://svc/", nil)
		require.NoError(t, err)
		req = withCall(req, &Call{Route: Route{Timeout: 5 * time.Millisecond}})
		_, err = rt.RoundTrip(req)
		var e *Error
		require.ErrorAs(t, err, &e, "try %d", i)
		assert.Equal(t, http.StatusGatewayTimeout, e.Status, "try %d: a dial cut short by the route's deadline is a timeout, not a connect failure", i)
	}
}

func TestPerTryTimeoutEndsDialAsTimeout(t *testing.T) {
	t.Parallel()
	for i := range 20 {
		req, err := http.NewRequest(http.MethodGet, "http://svc/", nil)
		require.NoError(t, err)
		_, err, timedOut := tryOnce(RoundTripFunc(failAtDeadline), req, 5*time.Millisecond)
		require.Error(t, err)
		assert.True(t, timedOut, "try %d: a dial cut short by the per-try deadline is a per-try timeout", i)
	}
}
