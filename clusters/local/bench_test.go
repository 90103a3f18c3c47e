package local

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/internal/testbin"
	"github.com/meshlab/meshlab/mesh/identity"
	"github.com/meshlab/meshlab/scenarios"
)

// BenchmarkSidecarHop measures what one sidecar hop adds at the client: GET /users/17 on a user
// instance at 1,000 rps open-loop with keep-alive, four ways interleaved round by round so
// drift hits all alike:
//
//   - direct: to the service instance;
//   - bare: through a bare httputil.ReverseProxy process (internal/bareproxy) with as many
//     workers as a sidecar — the reference for what any Go proxy costs on this host;
//   - hop: through the instance's sidecar (inbound listener, plaintext);
//   - mtls: through the sidecar with the client holding a mesh certificate (the gateway's
//     identity, from the control plane's CA), so the hop is mutual TLS, handshakes amortized
//     by keep-alive as in a mesh.
//
// It reports the added p50 and p99 of each path over direct, and the CPU (cores per 1,000
// rps) and resident memory of the sidecar and of the bare proxy while they carry the load.
func BenchmarkSidecarHop(b *testing.B) {
	if shared == nil {
		b.Skip("needs the shared mesh (not in -short)")
	}
	p := shared.pods[0] // user-0
	bare, barePID := startBareProxy(b, p.app.Addrs()["http"])
	direct := "http://" + p.app.Addrs()["http"] + "/users/17"
	viaBare := "http://" + bare + "/users/17"
	hop := "http://" + p.sidecar.Addrs()["inbound"] + "/users/17"
	mtls := "https://" + p.sidecar.Addrs()["inbound"] + "/users/17"
	clientTLS := meshClientTLS(b, "user")

	const rounds, per = 3, 3 * time.Second
	for i := 0; i < b.N; i++ {
		var d, bp, s, m []time.Duration
		var cpuBare, cpuHop, cpuMTLS, memHop, memMTLS float64
		for r := 0; r < rounds; r++ {
			d = append(d, attackLatencies(b, direct, nil, per)...)

			c0 := cpuSeconds(b, barePID)
			bp = append(bp, attackLatencies(b, viaBare, nil, per)...)
			cpuBare += cpuSeconds(b, barePID) - c0

			c0 = cpuSeconds(b, p.sidecar.PID())
			s = append(s, attackLatencies(b, hop, nil, per)...)
			cpuHop += cpuSeconds(b, p.sidecar.PID()) - c0
			memHop = max(memHop, float64(rss(b, p.sidecar.PID())))

			c0 = cpuSeconds(b, p.sidecar.PID())
			m = append(m, attackLatencies(b, mtls, clientTLS, per)...)
			cpuMTLS += cpuSeconds(b, p.sidecar.PID()) - c0
			memMTLS = max(memMTLS, float64(rss(b, p.sidecar.PID())))
		}
		span := rounds * per.Seconds() // at 1,000 rps: cores per 1,000 rps
		report(b, "direct", d)
		report(b, "bare", bp)
		report(b, "hop", s)
		report(b, "mtls", m)
		for _, x := range []struct {
			name string
			lat  []time.Duration
		}{{"bare", bp}, {"hop", s}, {"mtls-hop", m}} {
			p50, p99 := added(d, x.lat)
			b.ReportMetric(p50, x.name+"-added-p50-µs")
			b.ReportMetric(p99, x.name+"-added-p99-µs")
		}
		b.ReportMetric(cpuBare/span, "bare-proxy-cores/1000rps")
		b.ReportMetric(cpuHop/span, "sidecar-cores/1000rps")
		b.ReportMetric(cpuMTLS/span, "mtls-sidecar-cores/1000rps")
		b.ReportMetric(memHop/(1<<20), "sidecar-rss-MiB")
		b.ReportMetric(memMTLS/(1<<20), "mtls-sidecar-rss-MiB")
	}
}

// startBareProxy runs internal/bareproxy in front of upstream until the benchmark ends.
func startBareProxy(b *testing.B, upstream string) (addr string, pid int) {
	b.Helper()
	bin, err := testbin.BareProxy()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "--upstream", upstream)
	cmd.Env = append(os.Environ(), fmt.Sprintf("GOMAXPROCS=%d", scenarios.DefaultProxyWorkers)) // as many workers as a sidecar
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		b.Fatal("bareproxy: ", err)
	}
	return strings.TrimSpace(line), cmd.Process.Pid
}

// meshClientTLS is the client side of mTLS to service as the gateway: a certificate from the
// shared mesh's CA, verifying the service's SPIFFE ID.
func meshClientTLS(b *testing.B, service string) *tls.Config {
	b.Helper()
	src, err := identity.New(identity.Options{CAURL: shared.controlPlaneURL(), Token: shared.spec.Token,
		Namespace: shared.namespace(), Service: "gateway"})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := src.Rotate(ctx); err != nil {
		b.Fatal(err)
	}
	return src.ClientConfig(service)
}

// attackLatencies runs a 1,000 rps vegeta attack on url for du (over TLS with cfg when the
// URL is https) and returns the latencies.
func attackLatencies(b *testing.B, url string, cfg *tls.Config, du time.Duration) []time.Duration {
	b.Helper()
	opts := []func(*vegeta.Attacker){vegeta.KeepAlive(true), vegeta.Connections(64), vegeta.MaxBody(0), vegeta.HTTP2(false)}
	if cfg != nil {
		opts = append(opts, vegeta.TLSConfig(cfg))
	}
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: url})
	atk := vegeta.NewAttacker(opts...)
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
