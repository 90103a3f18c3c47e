package sidecar

import (
	"io"
	"net/http"
	"testing"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// BenchmarkHop measures what the data plane adds to a request over real loopback sockets with
// keep-alive, each iteration one direct request and one through the path, so drift hits both
// alike:
//
//	inbound   client → sidecar inbound → app                         (one hop)
//	outbound  client → sidecar outbound → app                        (one hop, the proxy core)
//	pair      client → sidecar outbound → sidecar inbound → app      (service to service)
func BenchmarkHop(b *testing.B) {
	app := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, meshtest.UserJSON)
	})
	user := startPod(b, Config{Service: "user", Instance: "user-1", Retries: 1}, app)
	caller := startPod(b, Config{Service: "order", Instance: "order-1", Retries: 1}, nil)
	direct := user.app.URL + "/users/17"

	b.Run("inbound", func(b *testing.B) { measureHop(b, direct, user.in.URL+"/users/17", "user") })
	b.Run("outbound", func(b *testing.B) {
		caller.sc.Update(controlplane.Snapshot{Version: 1, Services: map[string][]controlplane.Instance{
			"user": {{ID: "user-1", Service: "user", Addr: user.app.Listener.Addr().String(), Ready: true}},
		}})
		measureHop(b, direct, caller.out.URL+"/users/17", "user")
	})
	b.Run("pair", func(b *testing.B) {
		publish(2, []*pod{caller}, user)
		measureHop(b, direct, caller.out.URL+"/users/17", "user")
	})
}

// measureHop runs meshtest.MeasureHop with a proxy's client transport; hop is sent with Host
// host.
func measureHop(b *testing.B, direct, hop, host string) {
	hreq := meshtest.NewRequest(b, http.MethodGet, hop, "", nil)
	hreq.Host = host
	meshtest.MeasureHop(b, proxy.NewHTTPTransport(), meshtest.NewRequest(b, http.MethodGet, direct, "", nil), hreq)
}
