package proxy

import (
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/policy"
)

// BenchmarkThroughput compares the most requests per second a bare httputil.ReverseProxy and
// the mesh's proxy with every governance feature on (retries with a budget and backoff,
// circuit breaking, outlier detection, least-request balancing, a per-route timeout) carry
// to the same upstream over loopback with keep-alive and 1 KiB answers, closed-loop with 32
// concurrent clients, interleaved A/B/A/B. It reports the ratio (the target: ≥ 0.85).
func BenchmarkThroughput(b *testing.B) {
	body := make([]byte, 1024)
	up := newBackend(b, "user-1", func(w http.ResponseWriter, _ *http.Request) { w.Write(body) })
	target, _ := url.Parse(up.srv.URL)
	bare := httputil.NewSingleHostReverseProxy(target)
	bare.Transport = NewHTTPTransport() // net/http's, as a bare proxy has

	reg := NewRegistry(WithLogger(meshtest.Logger(b)))
	opts := Options{Timeout: 5 * time.Second, Logger: meshtest.Logger(b)}
	reg.Apply(&opts)
	p := New(opts)
	p.Update(snapshot(1, up.instance("user")))
	p.SetPolicy(&policy.MeshPolicy{Spec: policy.Spec{Services: map[string]policy.ServicePolicy{"user": {
		RoutePolicy: policy.RoutePolicy{Timeout: policy.Duration{Duration: 2 * time.Second},
			Retries: &policy.RetryPolicy{Attempts: 2, RetryOn: []string{"5xx", "reset", "connect-failure"},
				Budget: &policy.RetryBudget{Percent: 20, MinRetriesPerSecond: 10}}},
		ConnectionPool:   &policy.ConnectionPool{MaxConnections: 256, MaxPendingRequests: 256, MaxRequests: 512},
		OutlierDetection: &policy.OutlierDetection{Consecutive5xxErrors: 5},
		LoadBalancer:     &policy.LoadBalancer{Simple: policy.LeastRequest},
	}}}}, 1)
	governed := meshtest.Serve(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.Serve(w, r, p.RouteFor("user", r))
	}))
	plain := meshtest.Serve(b, bare)

	const rounds, per = 3, 2 * time.Second
	for b.Loop() {
		var bareRPS, govRPS float64
		for range rounds {
			bareRPS += closedLoop(b, plain+"/users/17", per)
			govRPS += closedLoop(b, governed+"/users/17", per)
		}
		b.ReportMetric(bareRPS/rounds, "bare-rps")
		b.ReportMetric(govRPS/rounds, "governed-rps")
		b.ReportMetric(govRPS/bareRPS, "ratio")
	}
}

// closedLoop sends GETs to u from 32 clients for du and returns the completed requests per
// second.
func closedLoop(b *testing.B, u string, du time.Duration) float64 {
	c := &http.Client{Transport: NewHTTPTransport()}
	defer c.CloseIdleConnections()
	var n atomic.Int64
	var wg sync.WaitGroup
	stop := time.Now().Add(du)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				resp, err := c.Get(u)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					n.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / du.Seconds()
}
