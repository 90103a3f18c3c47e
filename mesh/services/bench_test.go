package services_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/services"
)

// sink is a ResponseWriter that keeps nothing, so a benchmark counts the handler's allocations.
type sink struct{ h http.Header }

func (s *sink) Header() http.Header         { return s.h }
func (s *sink) Write(b []byte) (int, error) { return len(b), nil }
func (s *sink) WriteHeader(int)             {}

func benchHandler(b *testing.B, service, method, target string, body []byte, hdr map[string]string) {
	svc, err := services.New(services.Config{Service: service, Instance: service + "-1", Seed: testSeed})
	require.NoError(b, err)
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := &sink{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		r := req.Clone(req.Context())
		if body != nil {
			r.Body = readCloser{bytes.NewReader(body)}
		}
		svc.ServeHTTP(w, r)
	}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func BenchmarkGetUser(b *testing.B) {
	benchHandler(b, "user", http.MethodGet, "/users/17", nil, nil)
}

func BenchmarkGetProduct(b *testing.B) {
	benchHandler(b, "product", http.MethodGet, "/products/4711", nil, nil)
}

func BenchmarkListProducts(b *testing.B) {
	benchHandler(b, "product", http.MethodGet, "/products?limit=50", nil, nil)
}

func BenchmarkPaymentReplay(b *testing.B) {
	benchHandler(b, "payment", http.MethodPost, "/payments",
		[]byte(`{"amountCents":700,"currency":"USD","card":"tok_visa"}`), map[string]string{"Idempotency-Key": "k"})
}

func BenchmarkPaymentNoKey(b *testing.B) {
	benchHandler(b, "payment", http.MethodPost, "/payments",
		[]byte(`{"amountCents":700,"currency":"USD","card":"tok_visa"}`), nil)
}
