package local

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/internal/testbin"
	"github.com/meshlab/meshlab/mesh/identity"
	"github.com/meshlab/meshlab/scenarios"
)

// BenchmarkSidecarHop measures what one sidecar hop adds at the client: GET /products?limit=17
// (a 1 KiB answer) on a product instance at 1,000 rps open-loop with keep-alive, four ways
// interleaved round by round so drift hits all alike (direct first in every round, the others
// in an order rotated each round):
//
//   - direct: to the service instance;
//   - bare: through a bare httputil.ReverseProxy process (internal/bareproxy) with as many
//     workers as a sidecar — the reference for what any Go proxy costs on this host;
//   - hop: through the instance's sidecar (inbound listener, plaintext);
//   - mtls: through the sidecar with the client holding a mesh certificate (the gateway's
//     identity, from the control plane's CA), so the hop is mutual TLS, handshakes amortized
//     by keep-alive as in a mesh.
//
// Each path keeps one client (and its connections) for the whole benchmark, as a mesh peer
// would. What a path adds is taken round by round against the mean of the direct rounds
// before and after it (A/B/A; a closing direct round follows the last), and the median over
// the rounds is reported: this VM stalls now and then for tens of milliseconds, which ruins
// the p99 of whichever path is running, and a median of paired rounds keeps one stall from
// deciding the figure. The pooled p50 and p99 of every path are reported as well.
// It also reports the CPU (cores per 1,000 rps) and resident memory of the sidecar and of the
// bare proxy while they carry the load, and the sidecar's resident memory at 1,000 rps after a
// burst of 200 connections has left them open (sidecar-rss-after-burst-MiB).
func BenchmarkSidecarHop(b *testing.B) {
	if shared == nil {
		b.Skip("needs the shared mesh (not in -short)")
	}
	i := slices.IndexFunc(shared.pods, func(p *pod) bool { return p.id == "product-0" })
	p := shared.pods[i]
	const path = "/products?limit=17"
	bare, barePID := startBareProxy(b, p.app.Addrs()["http"])
	plain := func(addr string) target {
		return target{url: "http://" + addr + path, client: benchClient(b, nil)}
	}
	mtls := target{url: "https://" + p.sidecar.Addrs()["inbound"] + path, client: benchClient(b, meshClientTLS(b, "product"))}
	b.ReportMetric(float64(bodySize(b, "http://"+p.app.Addrs()["http"]+path)), "body-bytes")

	const rounds, per = 5, 2 * time.Second
	for i := 0; i < b.N; i++ {
		paths := []*benchPath{
			{name: "direct", t: plain(p.app.Addrs()["http"])},
			{name: "bare", added: "bare", t: plain(bare), pid: barePID, cpu: "bare-proxy-cores/1000rps"},
			{name: "hop", added: "hop", t: plain(p.sidecar.Addrs()["inbound"]), pid: p.sidecar.PID(),
				cpu: "sidecar-cores/1000rps", rss: "sidecar-rss-MiB"},
			{name: "mtls", added: "mtls-hop", t: mtls, pid: p.sidecar.PID(),
				cpu: "mtls-sidecar-cores/1000rps", rss: "mtls-sidecar-rss-MiB"},
		}
		for r := range rounds {
			// Direct opens every round; the proxied paths follow in an order rotated round by
			// round, so that none always runs right after an idle sidecar or a busy one.
			order := append(paths[:1:1], rotate(paths[1:], r)...)
			for _, x := range order {
				var c0 float64
				if x.pid != 0 {
					c0 = cpuSeconds(b, x.pid)
				}
				x.lat = append(x.lat, attackLatencies(b, x.t, per))
				if x.pid != 0 {
					x.cores += cpuSeconds(b, x.pid) - c0
					x.mem = max(x.mem, float64(rss(b, x.pid)))
				}
			}
		}
		direct := paths[0]
		// A closing direct round, so that every round of another path sits between two of
		// direct's (A/B/A) and what it adds is taken against their mean: drift cancels.
		direct.lat = append(direct.lat, attackLatencies(b, direct.t, per))
		span := rounds * per.Seconds() // at 1,000 rps: cores per 1,000 rps
		dq := roundQuantiles(direct.lat)
		for _, x := range paths {
			p50, p99 := quantiles(slices.Concat(x.lat...))
			b.ReportMetric(float64(p50.Microseconds()), x.name+"-p50-µs")
			b.ReportMetric(float64(p99.Microseconds()), x.name+"-p99-µs")
			if x.added != "" {
				var a50, a99 []float64
				for r, q := range roundQuantiles(x.lat) { // against the direct rounds either side
					a50 = append(a50, q[0]-(dq[r][0]+dq[r+1][0])/2)
					a99 = append(a99, q[1]-(dq[r][1]+dq[r+1][1])/2)
				}
				b.ReportMetric(median(a50), x.added+"-added-p50-µs")
				b.ReportMetric(median(a99), x.added+"-added-p99-µs")
			}
			if x.cpu != "" {
				b.ReportMetric(x.cores/span, x.cpu)
			}
			if x.rss != "" {
				b.ReportMetric(x.mem/(1<<20), x.rss)
			}
		}

		// A stall's aftermath, made on purpose: 200 connections busy at once for 2 s (what an
		// open-loop client opens while the host stalls), kept open, then 1,000 rps again. The
		// sidecar's resident memory then is what a burst's idle connections cost it.
		done := burst(b, "http://"+p.sidecar.Addrs()["inbound"]+path, 200, 2*time.Second)
		attackLatencies(b, paths[2].t, per)
		b.ReportMetric(float64(rss(b, p.sidecar.PID()))/(1<<20), "sidecar-rss-after-burst-MiB")
		done()
	}
}

// burst keeps n connections to url busy for d, one request after another on each, and
// returns what closes them.
func burst(b *testing.B, url string, n int, d time.Duration) (closeAll func()) {
	b.Helper()
	var wg sync.WaitGroup
	trs := make([]*http.Transport, n)
	end := time.Now().Add(d)
	for i := range trs {
		trs[i] = &http.Transport{MaxConnsPerHost: 1, DisableCompression: true}
		c := &http.Client{Transport: trs[i], Timeout: 10 * time.Second}
		wg.Go(func() {
			for time.Now().Before(end) {
				resp, err := c.Get(url)
				if err != nil {
					b.Errorf("burst: %v", err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	return func() {
		for _, tr := range trs {
			tr.CloseIdleConnections()
		}
	}
}

// benchPath is one path of BenchmarkSidecarHop and what was measured on it, round by round.
// Its latencies are reported as <name>-p50/p99, what it adds to the direct path (the first) as
// <added>-added-p50/p99 when added is set; pid is the proxy whose CPU and resident memory it
// measures, reported as cpu and rss when those are set.
type benchPath struct {
	name, added, cpu, rss string
	t                     target
	pid                   int
	lat                   [][]time.Duration // per round
	cores, mem            float64
}

// target is one path of the benchmark: a URL and the client that keeps its connections.
type target struct {
	url    string
	client *http.Client
}

// benchClient is a keep-alive HTTP/1.1 client (over mTLS with cfg when not nil) whose idle
// connections are closed when the benchmark ends.
func benchClient(b *testing.B, cfg *tls.Config) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute, TLSClientConfig: cfg,
		DisableCompression: true}
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// bodySize is the length of url's answer, which must be at least 1 KiB.
func bodySize(b *testing.B, url string) int {
	b.Helper()
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || len(body) < 1024 {
		b.Fatalf("%s: %d, %d bytes (%v); want 200 and at least 1 KiB", url, resp.StatusCode, len(body), err)
	}
	return len(body)
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

// attackLatencies runs a 1,000 rps vegeta attack on t for du and returns the latencies.
func attackLatencies(b *testing.B, t target, du time.Duration) []time.Duration {
	b.Helper()
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: t.url})
	atk := vegeta.NewAttacker(vegeta.Client(t.client), vegeta.MaxBody(0))
	var lat []time.Duration
	for r := range atk.Attack(tr, vegeta.ConstantPacer{Freq: 1000, Per: time.Second}, du, "hop") {
		if r.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", t.url, r.Code, r.Error)
		}
		lat = append(lat, r.Latency)
	}
	return lat[len(lat)/10:] // drop the first tenth: connection set-up, warm-up
}

// rotate is xs turned left by k places.
func rotate[T any](xs []T, k int) []T {
	k %= len(xs)
	return slices.Concat(xs[k:], xs[:k])
}

// roundQuantiles is the p50 and p99 of each round, in µs.
func roundQuantiles(rounds [][]time.Duration) [][2]float64 {
	out := make([][2]float64, len(rounds))
	for i, lat := range rounds {
		p50, p99 := quantiles(lat)
		out[i] = [2]float64{float64(p50) / float64(time.Microsecond), float64(p99) / float64(time.Microsecond)}
	}
	return out
}

// median is the middle of xs (the mean of the two middle values when their number is even).
func median(xs []float64) float64 {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

func quantiles(lat []time.Duration) (p50, p99 time.Duration) {
	lat = slices.Clone(lat)
	slices.Sort(lat)
	at := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
	return at(0.50), at(0.99)
}
