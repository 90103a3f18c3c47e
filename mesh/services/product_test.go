package services_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/services"
)

type productJSON struct {
	ID         int    `json:"id"`
	Name       string `json:"name"`
	PriceCents int    `json:"priceCents"`
	Stock      int    `json:"stock"`
}

func TestGetProduct(t *testing.T) {
	t.Parallel()
	_, base := serve(t, services.Config{Service: "product"})
	tests := []struct {
		id   string
		want int
	}{
		{"1", http.StatusOK},
		{"4711", http.StatusOK},
		{"10000", http.StatusOK},
		{"0", http.StatusNotFound},
		{"10001", http.StatusNotFound},
		{"lamp", http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			t.Parallel()
			a := do(t, http.MethodGet, base+"/products/"+tc.id, nil, nil)
			require.Equal(t, tc.want, a.status, "body %s", a.raw)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
			if tc.want != http.StatusOK {
				assert.NotEmpty(t, a.object(t)["error"])
				return
			}
			var p productJSON
			a.decode(t, &p)
			assert.Equal(t, tc.id, itoa(p.ID))
			assert.NotEmpty(t, p.Name)
			assert.Positive(t, p.PriceCents)
			assert.GreaterOrEqual(t, p.Stock, 500)
			assert.LessOrEqual(t, p.Stock, 5000)
		})
	}
}

func TestListProducts(t *testing.T) {
	t.Parallel()
	_, base := serve(t, services.Config{Service: "product"})
	tests := []struct {
		query   string
		want    int // status
		n, from int // items, first id
	}{
		{"", http.StatusOK, 20, 1},
		{"?limit=25", http.StatusOK, 25, 1},
		{"?limit=1000&offset=500", http.StatusOK, 1000, 501},
		{"?offset=9990&limit=50", http.StatusOK, 10, 9991},
		{"?offset=10000", http.StatusOK, 0, 0},
		{"?limit=0", http.StatusBadRequest, 0, 0},
		{"?limit=1001", http.StatusBadRequest, 0, 0},
		{"?limit=ten", http.StatusBadRequest, 0, 0},
		{"?limit=", http.StatusBadRequest, 0, 0},
		{"?offset=-1", http.StatusBadRequest, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			t.Parallel()
			a := do(t, http.MethodGet, base+"/products"+tc.query, nil, nil)
			require.Equal(t, tc.want, a.status, "body %s", a.raw)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
			if tc.want != http.StatusOK {
				assert.NotEmpty(t, a.object(t)["error"])
				return
			}
			var page struct {
				Items []productJSON `json:"items"`
				Total int           `json:"total"`
			}
			a.decode(t, &page)
			assert.Equal(t, 10000, page.Total)
			require.Len(t, page.Items, tc.n)
			for i, p := range page.Items {
				assert.Equal(t, tc.from+i, p.ID)
			}
		})
	}
}

func TestProductsAreSeededIdenticallyOnEveryReplica(t *testing.T) {
	t.Parallel()
	_, one := serve(t, services.Config{Service: "product", Instance: "product-1", Seed: 3})
	_, two := serve(t, services.Config{Service: "product", Instance: "product-2", Seed: 3})
	_, other := serve(t, services.Config{Service: "product", Instance: "product-1", Seed: 4})
	page := "/products?limit=1000&offset=4000"
	a := do(t, http.MethodGet, one+page, nil, nil).raw
	assert.Equal(t, string(a), string(do(t, http.MethodGet, two+page, nil, nil).raw))
	assert.NotEqual(t, string(a), string(do(t, http.MethodGet, other+page, nil, nil).raw))
}

// reserve posts a reservation of quantity of product id as rid.
func reserve(t *testing.T, base string, id int, rid string, quantity int) answer {
	t.Helper()
	return do(t, http.MethodPost, fmt.Sprintf("%s/products/%d/reservations", base, id),
		map[string]any{"reservationId": rid, "quantity": quantity}, map[string]string{"Idempotency-Key": rid})
}

// release deletes reservation rid of product id.
func release(t *testing.T, base string, id int, rid string) answer {
	t.Helper()
	return do(t, http.MethodDelete, fmt.Sprintf("%s/products/%d/reservations/%s", base, id, rid),
		nil, map[string]string{"Idempotency-Key": rid})
}

func TestReservationLifecycle(t *testing.T) {
	t.Parallel()
	m := &mesh{}
	_, m.product = serve(t, services.Config{Service: "product"})
	const id = 4711
	before, total := m.stock(t, id), stat(t, m.product, "stockTotal")

	a := reserve(t, m.product, id, "r-1", 3)
	require.Equal(t, http.StatusCreated, a.status, "body %s", a.raw)
	assert.Equal(t, "application/json", a.header.Get("Content-Type"))
	var res struct {
		ReservationID string `json:"reservationId"`
		ProductID     int    `json:"productId"`
		Quantity      int    `json:"quantity"`
		PriceCents    int    `json:"priceCents"`
	}
	a.decode(t, &res)
	assert.Equal(t, "r-1", res.ReservationID)
	assert.Equal(t, id, res.ProductID)
	assert.Equal(t, 3, res.Quantity)
	assert.Equal(t, m.price(t, id), res.PriceCents)
	assert.Equal(t, before-3, m.stock(t, id))

	again := reserve(t, m.product, id, "r-1", 3)
	assert.Equal(t, http.StatusCreated, again.status, "the same reservation again")
	assert.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
	assert.Equal(t, before-3, m.stock(t, id), "no second decrement")
	assert.Equal(t, 1, stat(t, m.product, "reservations"))
	assert.Equal(t, total-3, stat(t, m.product, "stockTotal"))

	assert.Equal(t, http.StatusUnprocessableEntity, reserve(t, m.product, id, "r-1", 4).status, "the id, another quantity")
	assert.Equal(t, http.StatusConflict, reserve(t, m.product, id, "r-2", before).status, "more than is left")
	assert.Equal(t, http.StatusNotFound, reserve(t, m.product, 10001, "r-3", 1).status, "no such product")

	assert.Equal(t, http.StatusNotFound, release(t, m.product, id+1, "r-1").status, "another product's id")
	assert.Equal(t, http.StatusNoContent, release(t, m.product, id, "r-1").status)
	assert.Equal(t, before, m.stock(t, id), "the stock is back")
	assert.Equal(t, http.StatusNoContent, release(t, m.product, id, "r-1").status, "a retried release")
	assert.Equal(t, before, m.stock(t, id), "given back once")
	assert.Equal(t, http.StatusConflict, reserve(t, m.product, id, "r-1", 3).status, "a late retry of a released reservation")
	assert.Equal(t, http.StatusNotFound, release(t, m.product, id, "never").status)
	assert.Equal(t, 0, stat(t, m.product, "reservations"))
	assert.Equal(t, total, stat(t, m.product, "stockTotal"))
}

func TestReservationBadRequests(t *testing.T) {
	t.Parallel()
	_, base := serve(t, services.Config{Service: "product"})
	url := base + "/products/9/reservations"
	tests := []struct {
		name string
		body any
		key  string
	}{
		{"not JSON", []byte("{"), ""},
		{"no id", map[string]any{"quantity": 1}, ""},
		{"zero quantity", map[string]any{"reservationId": "a", "quantity": 0}, ""},
		{"key differs", map[string]any{"reservationId": "a", "quantity": 1}, "b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := do(t, http.MethodPost, url, tc.body, map[string]string{"Idempotency-Key": tc.key})
			assert.Equal(t, http.StatusBadRequest, a.status, "body %s", a.raw)
			assert.NotEmpty(t, a.object(t)["error"])
		})
	}
}
