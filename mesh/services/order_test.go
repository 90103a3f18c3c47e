package services_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/services"
)

type orderJSON struct {
	OrderID     string `json:"orderId"`
	Status      string `json:"status"`
	AmountCents int    `json:"amountCents"`
	PaymentID   string `json:"paymentId"`
}

// item is a product id and a quantity.
type item [2]int

func order(userID int, card string, items ...item) map[string]any {
	lines := make([]map[string]int, len(items))
	for i, it := range items {
		lines[i] = map[string]int{"productId": it[0], "quantity": it[1]}
	}
	return map[string]any{"userId": userID, "items": lines, "card": card}
}

func TestOrderConfirmed(t *testing.T) {
	t.Parallel()
	m := startMesh(t)
	stock4711, stock9 := m.stock(t, 4711), m.stock(t, 9)
	const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	a := do(t, http.MethodPost, m.order+"/orders", order(17, "tok_visa", item{4711, 2}, item{9, 1}),
		map[string]string{"X-Request-Id": "req-abc", "traceparent": traceparent})
	require.Equal(t, http.StatusCreated, a.status, "body %s", a.raw)
	assert.Equal(t, "application/json", a.header.Get("Content-Type"))
	var o orderJSON
	a.decode(t, &o)
	assert.NotEmpty(t, o.OrderID)
	assert.Equal(t, "confirmed", o.Status)
	assert.Equal(t, 2*m.price(t, 4711)+m.price(t, 9), o.AmountCents)
	assert.NotEmpty(t, o.PaymentID)

	assert.Equal(t, stock4711-2, m.stock(t, 4711))
	assert.Equal(t, stock9-1, m.stock(t, 9))
	assert.Equal(t, 2, stat(t, m.product, "reservations"), "a confirmed order keeps its stock")
	assert.Equal(t, 1, stat(t, m.payment, "charges"))
	assert.Equal(t, 1, stat(t, m.order, "orders"))

	want := []struct{ method, host, path, key string }{
		{http.MethodGet, "user", "/users/17", ""},
		{http.MethodPost, "product", "/products/4711/reservations", o.OrderID + "-1"},
		{http.MethodPost, "product", "/products/9/reservations", o.OrderID + "-2"},
		{http.MethodPost, "payment", "/payments", "charge-" + o.OrderID},
	}
	seen := m.sidecar.requests()
	require.Len(t, seen, len(want))
	for i, w := range want {
		r := seen[i]
		assert.Equal(t, w.method+" "+w.host+w.path, r.Method+" "+r.Host+r.URL.Path)
		assert.Equal(t, w.key, r.Header.Get("Idempotency-Key"))
		assert.Equal(t, "req-abc", r.Header.Get("X-Request-Id"), "%s %s", r.Method, r.URL.Path)
		assert.Equal(t, traceparent, r.Header.Get("traceparent"), "%s %s", r.Method, r.URL.Path)
	}
}

// failing answers every request with status and a JSON error.
func failing(status int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(`{"error":"injected"}`))
	})
}

// loseAnswers passes requests of method to next and then drops the connection: the work is
// done, its answer lost.
func loseAnswers(method string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(httptest.NewRecorder(), r)
		panic(http.ErrAbortHandler)
	})
}

// closedURL is the URL of a server that is gone.
func closedURL() string {
	ts := httptest.NewServer(http.NotFoundHandler())
	ts.Close()
	return ts.URL
}

func TestFailedOrderReleasesItsStock(t *testing.T) {
	t.Parallel()
	items := []item{{10, 1}, {11, 3}}
	tests := []struct {
		name  string
		body  map[string]any
		fault func(t *testing.T, m *mesh)
		want  int
	}{
		{"unknown user", order(5000, "tok_visa", items...), nil, http.StatusUnprocessableEntity},
		{"unknown product", order(5, "tok_visa", item{10, 1}, item{20000, 1}), nil, http.StatusUnprocessableEntity},
		{"out of stock", order(5, "tok_visa", item{10, 1}, item{11, 100000}), nil, http.StatusConflict},
		{"declined", order(5, "tok_declined", items...), nil, http.StatusPaymentRequired},
		{"user failing", order(5, "tok_visa", items...), func(t *testing.T, m *mesh) {
			m.sidecar.handle("user", failing(http.StatusInternalServerError))
		}, http.StatusBadGateway},
		{"payment answers 503", order(5, "tok_visa", items...), func(t *testing.T, m *mesh) {
			m.sidecar.handle("payment", failing(http.StatusServiceUnavailable))
		}, http.StatusBadGateway},
		{"payment connection dropped", order(5, "tok_visa", items...), func(t *testing.T, m *mesh) {
			m.sidecar.handle("payment", abort)
		}, http.StatusServiceUnavailable},
		{"reservation answer lost", order(5, "tok_visa", items...), func(t *testing.T, m *mesh) {
			m.sidecar.handle("product", loseAnswers(http.MethodPost, proxyTo(t, m.product)))
		}, http.StatusServiceUnavailable},
		{"sidecar gone", order(5, "tok_visa", items...), func(t *testing.T, m *mesh) {
			m.orderSvc.SetOutbound(closedURL())
		}, http.StatusServiceUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := startMesh(t)
			before := map[int]int{10: m.stock(t, 10), 11: m.stock(t, 11)}
			total := stat(t, m.product, "stockTotal")
			if tc.fault != nil {
				tc.fault(t, m)
			}
			for range 3 {
				a := do(t, http.MethodPost, m.order+"/orders", tc.body, nil)
				require.Equal(t, tc.want, a.status, "body %s", a.raw)
				assert.Equal(t, "application/json", a.header.Get("Content-Type"))
				assert.NotEmpty(t, a.object(t)["error"])
			}
			for id, n := range before {
				assert.Equal(t, n, m.stock(t, id), "product %d leaked stock", id)
			}
			assert.Equal(t, total, stat(t, m.product, "stockTotal"))
			assert.Equal(t, 0, stat(t, m.product, "reservations"))
			assert.Equal(t, 0, stat(t, m.payment, "charges"))
			assert.Equal(t, 3, stat(t, m.order, "failed"))
			assert.Equal(t, 0, stat(t, m.order, "releaseFailures"))
		})
	}
}

func TestOrderBadRequests(t *testing.T) {
	t.Parallel()
	m := startMesh(t)
	many := make([]item, 101)
	for i := range many {
		many[i] = item{i + 1, 1}
	}
	tests := []struct {
		name string
		body any
	}{
		{"not JSON", []byte("{")},
		{"no user", order(0, "tok_visa", item{1, 1})},
		{"no items", order(1, "tok_visa")},
		{"too many items", order(1, "tok_visa", many...)},
		{"zero quantity", order(1, "tok_visa", item{1, 0})},
		{"no product", order(1, "tok_visa", item{0, 1})},
		{"no card", order(1, "", item{1, 1})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := do(t, http.MethodPost, m.order+"/orders", tc.body, nil)
			assert.Equal(t, http.StatusBadRequest, a.status, "body %s", a.raw)
			assert.NotEmpty(t, a.object(t)["error"])
		})
	}
	t.Cleanup(func() { assert.Empty(t, m.sidecar.requests(), "a bad order calls nobody") })
}

func TestOrderIDsAreUniqueAcrossInstancesAndRestarts(t *testing.T) {
	t.Parallel()
	m := startMesh(t)
	bases := []string{m.order}
	for _, inst := range []string{"order-2", "order-1"} { // another instance, then order-1 restarted
		time.Sleep(time.Millisecond) // a restart is a new process, milliseconds later at least
		_, base := serve(t, services.Config{Service: "order", Instance: inst, Outbound: m.sidecar.url})
		bases = append(bases, base)
	}
	orders, payments := map[string]bool{}, map[string]bool{}
	for _, base := range bases {
		for range 5 {
			var o orderJSON
			a := do(t, http.MethodPost, base+"/orders", order(1, "tok_visa", item{1, 1}), nil)
			require.Equal(t, http.StatusCreated, a.status, "body %s", a.raw)
			a.decode(t, &o)
			orders[o.OrderID], payments[o.PaymentID] = true, true
		}
	}
	assert.Len(t, orders, 15)
	assert.Len(t, payments, 15)
}

func TestSetOutboundMovesCalls(t *testing.T) {
	t.Parallel()
	m := startMesh(t)
	body := order(1, "tok_visa", item{2, 1})
	m.orderSvc.SetOutbound(closedURL())
	assert.Equal(t, http.StatusServiceUnavailable, do(t, http.MethodPost, m.order+"/orders", body, nil).status)
	m.orderSvc.SetOutbound(m.sidecar.url + "/")
	assert.Equal(t, http.StatusCreated, do(t, http.MethodPost, m.order+"/orders", body, nil).status)
	m.orderSvc.SetOutbound("not a url")
	assert.Equal(t, http.StatusServiceUnavailable, do(t, http.MethodPost, m.order+"/orders", body, nil).status)
}
