package telemetry_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/proxy"
	"github.com/meshlab/meshlab/mesh/telemetry"
)

// BenchmarkOutbound measures what the outbound middleware adds to a request (no network).
func BenchmarkOutbound(b *testing.B) {
	m := telemetry.New("sidecar", "order-1")
	ok := &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}
	rt := proxy.Chain(proxy.RoundTripFunc(func(*http.Request) (*http.Response, error) { return ok, nil }),
		m.Outbound("order"), telemetry.Trace)
	req := httptest.NewRequest(http.MethodGet, "http://user/users/42", nil)
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	b.ReportAllocs()
	for b.Loop() {
		rt.RoundTrip(req)
	}
}

// BenchmarkMiddleware measures what the inbound middleware adds to a request (no network).
func BenchmarkMiddleware(b *testing.B) {
	m := telemetry.New("sidecar", "payment-1")
	h := m.Middleware(telemetry.Side{Name: adminapi.SideInbound, Source: telemetry.Const("order")})(
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusCreated) }))
	req := httptest.NewRequest(http.MethodPost, "http://payment/payments", nil)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
}
