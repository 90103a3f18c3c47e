package local

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/mesh/policy"
)

// BenchmarkSidecarHop measures what one sidecar hop adds at the client: GET /users/17 on a user
// instance, directly and through its sidecar's inbound listener, both real meshd processes, at
// 1,000 rps open-loop with keep-alive, interleaved A/B/A/B so drift hits both sides alike. It
// reports the added p50 and p99, and the sidecar's CPU (cores per 1,000 rps) and resident
// memory while it carries the load.
//
// Then the same through the gateway with mTLS between gateway and sidecars off and STRICT:
// the difference is what mutual TLS adds to a hop (handshakes amortized by keep-alive, as in
// a mesh), with the sidecar's CPU and memory under mTLS.
func BenchmarkSidecarHop(b *testing.B) {
	if shared == nil {
		b.Skip("needs the shared mesh (not in -short)")
	}
	p := shared.pods[0] // user-0
	direct := "http://" + p.app.Addrs()["http"] + "/users/17"
	hop := "http://" + p.sidecar.Addrs()["inbound"] + "/users/17"
	viaGateway := shared.GatewayURL() + "/users/17"
	const rounds, per = 3, 3 * time.Second
	for i := 0; i < b.N; i++ {
		var d, s []time.Duration
		var cpu, mem float64
		for r := 0; r < rounds; r++ {
			d = append(d, attackLatencies(b, direct, per)...)
			c0 := cpuSeconds(b, p.sidecar.PID())
			s = append(s, attackLatencies(b, hop, per)...)
			cpu += cpuSeconds(b, p.sidecar.PID()) - c0
			mem = max(mem, float64(rss(b, p.sidecar.PID())))
		}
		report(b, "direct", d)
		report(b, "hop", s)
		addedP50, addedP99 := added(d, s)
		b.ReportMetric(addedP50, "added-p50-µs")
		b.ReportMetric(addedP99, "added-p99-µs")
		b.ReportMetric(cpu/(rounds*per.Seconds()), "sidecar-cores/1000rps")
		b.ReportMetric(mem/(1<<20), "sidecar-rss-MiB")

		var plain, tls []time.Duration
		strict := policy.MeshPolicy{Spec: policy.Spec{Security: policy.SecurityPolicy{MTLS: &policy.MTLS{Mode: policy.MTLSStrict}}}}
		for r := 0; r < rounds; r++ {
			setPolicy(b, policy.MeshPolicy{})
			plain = append(plain, attackLatencies(b, viaGateway, per)...)
			setPolicy(b, strict)
			c0 := cpuSeconds(b, p.sidecar.PID())
			tls = append(tls, attackLatencies(b, viaGateway, per)...)
			// Two user instances share the load: this one carries about 500 rps.
			cpu = (cpuSeconds(b, p.sidecar.PID()) - c0) * 2
			mem = max(mem, float64(rss(b, p.sidecar.PID())))
		}
		setPolicy(b, policy.MeshPolicy{})
		mP50, mP99 := added(plain, tls)
		b.ReportMetric(addedP50+mP50, "mtls-hop-added-p50-µs")
		b.ReportMetric(addedP99+mP99, "mtls-hop-added-p99-µs")
		b.ReportMetric(cpu/per.Seconds(), "mtls-sidecar-cores/1000rps")
		b.ReportMetric(mem/(1<<20), "mtls-sidecar-rss-MiB")
	}
}

// setPolicy applies p and gives it the second the mesh needs to take it everywhere.
func setPolicy(b *testing.B, p policy.MeshPolicy) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := shared.SetPolicy(ctx, p); err != nil {
		b.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
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

// added is how much slower b is than a at p50 and p99, in µs.
func added(a, b []time.Duration) (p50, p99 float64) {
	a50, a99 := quantiles(a)
	b50, b99 := quantiles(b)
	return float64((b50 - a50).Microseconds()), float64((b99 - a99).Microseconds())
}

func report(b *testing.B, name string, lat []time.Duration) {
	p50, p99 := quantiles(lat)
	b.ReportMetric(float64(p50.Microseconds()), name+"-p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), name+"-p99-µs")
}

func quantiles(lat []time.Duration) (p50, p99 time.Duration) {
	lat = slices.Clone(lat)
	slices.Sort(lat)
	at := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
	return at(0.50), at(0.99)
}
