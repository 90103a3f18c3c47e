package sidecar

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// orderBody orders one unit of product 9 for user 3.
const orderBody = `{"userId":3,"items":[{"productId":9,"quantity":1}],"card":"tok_visa"}`

// TestOrdersThroughTheMesh runs real services behind sidecars: an order calls user, product
// (reserve, with Idempotency-Key) and payment (charge, with Idempotency-Key) through its
// sidecar, over two instances each of product and payment.
func TestOrdersThroughTheMesh(t *testing.T) {
	t.Parallel()
	order := servicePod(t, "order", "order-1", 1)
	pods := []*pod{
		order,
		servicePod(t, "user", "user-1", 1),
		servicePod(t, "product", "product-1", 1),
		servicePod(t, "product", "product-2", 1),
		servicePod(t, "payment", "payment-1", 1),
		servicePod(t, "payment", "payment-2", 1),
	}
	publish(1, pods, pods...)

	for i := range 10 {
		a := do(t, "POST", order.in.URL+"/orders", "order", orderBody, nil)
		require.Equal(t, http.StatusCreated, a.Code, "order %d: %s", i, a.Body)
	}
	t.Run("a payment instance's process stops", func(t *testing.T) {
		pods[4].app.Close() // payment-1's process stops: its sidecar answers 503; the snapshot still lists it
		for i := range 10 {
			a := do(t, "POST", order.in.URL+"/orders", "order", orderBody, nil)
			assert.Equal(t, http.StatusCreated, a.Code, "order %d: %s", i, a.Body)
		}
	})
	t.Run("replayed charges stick to their instance", func(t *testing.T) {
		pay := pods[5].out.URL + "/payments"
		for i := range 5 {
			key := http.Header{"Idempotency-Key": {fmt.Sprint("charge-", i)}, "Content-Type": {"application/json"}}
			body := `{"amountCents":1200,"currency":"USD","card":"tok_visa"}`
			first := do(t, "POST", pay, "payment", body, key)
			require.Equal(t, http.StatusCreated, first.Code, first.Body)
			again := do(t, "POST", pay, "payment", body, key)
			assert.Equal(t, first.Body, again.Body, "the same payment")
			assert.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
		}
	})
}
