package reports

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/rundir"
	"github.com/meshlab/meshlab/scenarios"
)

// t0 is the attack start of the synthetic runs.
var t0 = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)

// sample is a request of route (as scenarios.Routes names it, or a "METHOD /path") intended at
// t0+at, answered with code after latency.
func sample(route string, at time.Duration, code uint16, latency time.Duration) vegeta.Result {
	method, path, _ := strings.Cut(route, " ")
	path = strings.ReplaceAll(path, "{id}", strconv.Itoa(int(at/time.Millisecond)%97+1))
	r := vegeta.Result{
		Code: code, Timestamp: t0.Add(at), Latency: latency, Method: method,
		URL: "http://127.0.0.1:8080" + path, BytesOut: 0, BytesIn: 64,
	}
	if method == http.MethodPost {
		r.BytesOut = 80
	}
	switch {
	case code == 0:
		r.Error = method[:1] + strings.ToLower(method[1:]) + ` "` + r.URL + `": context deadline exceeded`
	case code >= 400:
		r.Error = strconv.Itoa(int(code)) + " " + http.StatusText(int(code))
	}
	return r
}

// withLag annotates r with a send lag.
func withLag(r vegeta.Result, lag time.Duration) vegeta.Result {
	r.Headers = http.Header{}
	rundir.SetSendLag(r.Headers, lag)
	return r
}

// ms is n milliseconds.
func ms(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }

// testMeta is the meta of a constant-rate run of rate req/s for dur after a warm-up.
func testMeta(rate float64, dur, warmup time.Duration) Meta {
	return Meta{
		Scenario: scenarios.Scenario{
			Name: "baseline", Backend: "local", Seed: 7,
			Warmup: scenarios.Duration{Duration: warmup},
			Load: scenarios.Load{Profile: "constant", Rate: rate, Duration: scenarios.Duration{Duration: dur},
				Mix: scenarios.DefaultMix},
		},
		Seed: 7, Backend: "local", RunID: "baseline-test", StartedAt: t0,
		Versions:  Versions{Meshlab: "devel", Go: "go1.26.8", Vegeta: "v12.13.0"},
		Machine:   Machine{OS: "linux", Arch: "amd64", CPUs: 2, Hostname: "ci"},
		MeshReady: 1500 * time.Millisecond, ScheduledRequests: int(rate * dur.Seconds()),
	}
}
