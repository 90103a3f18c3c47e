package local

import (
	"net/http"
	"slices"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// BenchmarkSidecarHop measures what one sidecar hop adds at the client: GET /users/17 on a user
// instance, directly and through its sidecar's inbound listener, both real meshd processes, at
// 1,000 rps open-loop with keep-alive, interleaved A/B/A/B so drift hits both sides alike.
// It reports the added p50 and p99 (and each side's own).
func BenchmarkSidecarHop(b *testing.B) {
	if shared == nil {
		b.Skip("needs the shared mesh (not in -short)")
	}
	p := shared.pods[0] // user-0
	direct := "http://" + p.app.Addrs()["http"] + "/users/17"
	hop := "http://" + p.sidecar.Addrs()["inbound"] + "/users/17"
	const rounds, per = 4, 3 * time.Second
	var d, s []time.Duration
	for i := 0; i < b.N; i++ {
		for r := 0; r < rounds; r++ {
			d = append(d, attackLatencies(b, direct, per)...)
			s = append(s, attackLatencies(b, hop, per)...)
		}
	}
	dp50, dp99 := quantiles(d)
	sp50, sp99 := quantiles(s)
	b.ReportMetric(float64(dp50.Microseconds()), "direct-p50-µs")
	b.ReportMetric(float64(dp99.Microseconds()), "direct-p99-µs")
	b.ReportMetric(float64(sp50.Microseconds()), "hop-p50-µs")
	b.ReportMetric(float64(sp99.Microseconds()), "hop-p99-µs")
	b.ReportMetric(float64((sp50 - dp50).Microseconds()), "added-p50-µs")
	b.ReportMetric(float64((sp99 - dp99).Microseconds()), "added-p99-µs")
}

// attackLatencies runs a 1,000 rps vegeta attack on url for du and returns the latencies.
func attackLatencies(b *testing.B, url string, du time.Duration) []time.Duration {
	b.Helper()
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: url})
	atk := vegeta.NewAttacker(vegeta.KeepAlive(true), vegeta.Connections(64), vegeta.MaxBody(0))
	var lat []time.Duration
	for r := range atk.Attack(tr, vegeta.ConstantPacer{Freq: 1000, Per: time.Second}, du, "hop") {
		if r.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", url, r.Code, r.Error)
		}
		lat = append(lat, r.Latency)
	}
	return lat[len(lat)/10:] // drop the first tenth: connection set-up
}

func quantiles(lat []time.Duration) (p50, p99 time.Duration) {
	slices.Sort(lat)
	at := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
	return at(0.50), at(0.99)
}
