package services_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/services"
)

type paymentJSON struct {
	PaymentID   string `json:"paymentId"`
	Status      string `json:"status"`
	AmountCents int    `json:"amountCents"`
}

func pay(amount int, card string) map[string]any {
	return map[string]any{"amountCents": amount, "currency": "USD", "card": card}
}

func TestPayment(t *testing.T) {
	t.Parallel()
	_, base := serve(t, services.Config{Service: "payment"})
	tests := []struct {
		name   string
		body   any
		want   int
		status string // the answer's "status", when it has one
	}{
		{"charged", pay(1200, "tok_visa"), http.StatusCreated, "succeeded"},
		{"with an order", map[string]any{"amountCents": 5, "currency": "EUR", "card": "tok_visa", "orderId": "o-1"}, http.StatusCreated, "succeeded"},
		{"declined", pay(1200, "tok_declined"), http.StatusPaymentRequired, "declined"},
		{"no amount", pay(0, "tok_visa"), http.StatusBadRequest, ""},
		{"no card", pay(100, ""), http.StatusBadRequest, ""},
		{"bad currency", map[string]any{"amountCents": 5, "currency": "dollars", "card": "tok_visa"}, http.StatusBadRequest, ""},
		{"not JSON", []byte(`{"amountCents":`), http.StatusBadRequest, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := do(t, http.MethodPost, base+"/payments", tc.body, nil)
			require.Equal(t, tc.want, a.status, "body %s", a.raw)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
			if tc.status == "" {
				assert.NotEmpty(t, a.object(t)["error"])
				return
			}
			var p paymentJSON
			a.decode(t, &p)
			assert.Equal(t, tc.status, p.Status)
			if tc.want == http.StatusCreated {
				assert.NotEmpty(t, p.PaymentID)
			}
		})
	}
}

func TestPaymentWithoutKeyChargesEveryTime(t *testing.T) {
	t.Parallel()
	_, base := serve(t, services.Config{Service: "payment"})
	ids := map[string]bool{}
	for range 3 {
		var p paymentJSON
		a := do(t, http.MethodPost, base+"/payments", pay(100, "tok_visa"), nil)
		require.Equal(t, http.StatusCreated, a.status)
		a.decode(t, &p)
		ids[p.PaymentID] = true
	}
	assert.Len(t, ids, 3, "three payments, three ids")
	assert.Equal(t, 3, stat(t, base, "charges"))
}

func TestRetriedPaymentIsChargedOnce(t *testing.T) {
	t.Parallel()
	_, base := serve(t, services.Config{Service: "payment"})
	key := map[string]string{"Idempotency-Key": "k-1"}
	first := do(t, http.MethodPost, base+"/payments", pay(4200, "tok_visa"), key)
	require.Equal(t, http.StatusCreated, first.status)
	assert.Empty(t, first.header.Get("Idempotent-Replayed"))
	for range 3 {
		again := do(t, http.MethodPost, base+"/payments", pay(4200, "tok_visa"), key)
		assert.Equal(t, http.StatusCreated, again.status)
		assert.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
		assert.Equal(t, "application/json", again.header.Get("Content-Type"))
		assert.JSONEq(t, string(first.raw), string(again.raw), "the stored answer")
	}
	other := do(t, http.MethodPost, base+"/payments", pay(4300, "tok_visa"), key)
	assert.Equal(t, http.StatusUnprocessableEntity, other.status, "the key with another body")
	assert.NotEmpty(t, other.object(t)["error"])
	assert.Equal(t, 1, stat(t, base, "charges"))

	declined := map[string]string{"Idempotency-Key": "k-2"}
	for range 2 {
		assert.Equal(t, http.StatusPaymentRequired, do(t, http.MethodPost, base+"/payments", pay(1, "tok_declined"), declined).status)
	}
	assert.Equal(t, 1, stat(t, base, "declines"), "a declined answer is stored too")
}

func TestConcurrentDuplicatePaymentsChargeOnce(t *testing.T) {
	t.Parallel()
	// Work time widens the window in which the duplicates overlap.
	_, base := serve(t, services.Config{Service: "payment", Work: services.WorkTime{Median: 5 * time.Millisecond, Sigma: 1}})
	const n = 20
	key := map[string]string{"Idempotency-Key": "dup-1"}
	answers := make([]answer, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { answers[i], errs[i] = send(http.MethodPost, base+"/payments", pay(999, "tok_visa"), key) })
	}
	wg.Wait()
	replayed := 0
	for i, a := range answers {
		require.NoError(t, errs[i])
		require.Equal(t, http.StatusCreated, a.status, "body %s", a.raw)
		assert.JSONEq(t, string(answers[0].raw), string(a.raw), "every duplicate gets the one answer")
		if a.header.Get("Idempotent-Replayed") == "true" {
			replayed++
		}
	}
	assert.Equal(t, n-1, replayed)
	assert.Equal(t, 1, stat(t, base, "charges"))
	assert.Equal(t, n-1, stat(t, base, "replays"))
}
