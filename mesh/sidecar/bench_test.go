package sidecar

import (
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// userJSON is an answer the size of GET /users/17's.
const userJSON = `{"id":17,"name":"User 17","email":"user17@example.com","tier":"gold"}` + "\n"

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
		io.WriteString(w, userJSON)
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

// measureHop times direct and hop requests alternately and reports the difference.
func measureHop(b *testing.B, direct, hop, host string) {
	c := &http.Client{Transport: proxy.NewHTTPTransport()}
	b.Cleanup(c.CloseIdleConnections)
	dreq, hreq := newGet(b, direct, ""), newGet(b, hop, host)
	for range 200 { // warm up connections and pools
		fetch(b, c, dreq)
		fetch(b, c, hreq)
	}
	d, h := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d = append(d, fetch(b, c, dreq))
		h = append(h, fetch(b, c, hreq))
	}
	b.StopTimer()
	var sum time.Duration
	for i := range d {
		sum += h[i] - d[i]
	}
	slices.Sort(d)
	slices.Sort(h)
	q := func(s []time.Duration, f float64) time.Duration { return s[int(f*float64(len(s)-1))] }
	b.ReportMetric(float64(sum.Nanoseconds())/float64(len(d)), "added-ns/op")
	b.ReportMetric(float64((q(h, .5) - q(d, .5)).Nanoseconds()), "added-p50-ns")
	b.ReportMetric(float64((q(h, .99) - q(d, .99)).Nanoseconds()), "added-p99-ns")
	b.ReportMetric(float64(q(d, .5).Nanoseconds()), "direct-p50-ns")
}

func newGet(b *testing.B, url, host string) *http.Request {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Host = host
	return req
}

// fetch sends req and reads the whole answer; it returns how long that took.
func fetch(b *testing.B, c *http.Client, req *http.Request) time.Duration {
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("%s: %s", req.URL, resp.Status)
	}
	return time.Since(start)
}
