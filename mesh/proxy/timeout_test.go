package proxy

import (
	"context"
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

		// the request's own deadline comes first: the try ends with it, and it is not the per-try
		// timeout's doing (the Timeout middleware outside answers it).
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Millisecond)
		_, err, timedOut = tryOnce(RoundTripFunc(failAtDeadline), req.WithContext(ctx), time.Hour)
		cancel()
		require.Error(t, err)
		assert.False(t, timedOut, "try %d: the request's deadline, not the per-try one", i)
	}
}

// unfired is a context whose deadline has passed while its timer has not fired yet.
type unfired struct {
	context.Context
	dl time.Time
}

func (c unfired) Deadline() (time.Time, bool) { return c.dl, true }

func TestDeadlineReached(t *testing.T) {
	t.Parallel()
	assert.False(t, DeadlineReached(context.Background()), "no deadline")
	assert.False(t, DeadlineReached(unfired{context.Background(), time.Now().Add(time.Hour)}), "a deadline to come")
	assert.True(t, DeadlineReached(unfired{context.Background(), time.Now().Add(-time.Millisecond)}), "passed, timer not fired")
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	assert.True(t, DeadlineReached(ctx), "fired")
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	assert.False(t, DeadlineReached(ctx), "canceled is not a deadline")
}
