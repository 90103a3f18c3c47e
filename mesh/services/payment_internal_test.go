package services

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDuplicatesWaitForTheChargeInFlight holds the first charge of a key open while 20
// duplicates arrive: they must wait for it and replay its answer, not charge again.
func TestDuplicatesWaitForTheChargeInFlight(t *testing.T) {
	t.Parallel()
	svc, err := New(Config{Service: "payment", Instance: "payment-1"})
	require.NoError(t, err)
	p := svc.backend.(*payments)
	p.charging = func() { time.Sleep(50 * time.Millisecond) }
	ts := httptest.NewServer(svc)
	defer ts.Close()

	const n = 20
	type result struct {
		status int
		body   string
		err    error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodPost, ts.URL+"/payments",
				bytes.NewReader([]byte(`{"amountCents":700,"currency":"USD","card":"tok_visa"}`)))
			if err != nil {
				results[i].err = err
				return
			}
			req.Header.Set("Idempotency-Key", "in-flight")
			resp, err := ts.Client().Do(req)
			if err != nil {
				results[i].err = err
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			results[i] = result{resp.StatusCode, string(b), err}
		})
	}
	wg.Wait()
	for _, r := range results {
		require.NoError(t, r.err)
		assert.Equal(t, http.StatusCreated, r.status)
		assert.Equal(t, results[0].body, r.body)
	}
	assert.EqualValues(t, 1, p.charges.Load())
	assert.EqualValues(t, n-1, p.replays.Load())
}
