package meshtest

import (
	"io"
	"net/http"
	"slices"
	"testing"
	"time"
)

// UserJSON is an answer the size of GET /users/17's.
const UserJSON = `{"id":17,"name":"User 17","email":"user17@example.com","tier":"gold"}` + "\n"

// MeasureHop times direct and hop requests alternately, so drift hits both alike, with one
// client over rt (after 200 rounds to warm connections and pools), and reports what the hop adds
// to a request: added-ns/op (the mean), added-p50-ns and added-p99-ns; and direct-p50-ns. Every
// answer must be a 200.
func MeasureHop(b *testing.B, rt http.RoundTripper, direct, hop *http.Request) {
	c := &http.Client{Transport: rt}
	b.Cleanup(c.CloseIdleConnections)
	for range 200 {
		timed(b, c, direct)
		timed(b, c, hop)
	}
	d, h := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d = append(d, timed(b, c, direct))
		h = append(h, timed(b, c, hop))
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

// timed sends req and reads the whole answer; it returns how long that took.
func timed(b *testing.B, c *http.Client, req *http.Request) time.Duration {
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
