package reports

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/scenarios"
)

var update = flag.Bool("update", false, "update the .golden files")

// splitmix is a tiny deterministic hash, so that the synthetic run never depends on a
// library's random streams.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// syntheticRun is a fixed run at 100 req/s for 10 s (2 s of warm-up): the default mix, a few
// failures of every kind, a latency tail, send lags, and two requests outside every route.
func syntheticRun() []vegeta.Result {
	base := map[string]float64{
		"GET /users/{id}": 3, "GET /products/{id}": 4, "GET /products": 8, "POST /orders": 25, "POST /payments": 15,
		"GET /admin": 1,
	}
	var rs []vegeta.Result
	for i := range uint64(1000) {
		h := splitmix(i)
		at := time.Duration(i) * 10 * time.Millisecond
		route := pickRoute(h % 100)
		if i == 333 || i == 777 {
			route = "GET /admin"
		}
		lat := base[route] * (0.5 + float64(h>>8%1000)/1000)
		if h>>20%100 == 0 {
			lat *= 20 // the tail
		}
		if at < 2*time.Second {
			lat *= 3 // a cold mesh
		}
		code := uint16(200)
		switch f := h >> 28 % 1000; {
		case f < 5:
			code = 503
		case f < 8:
			code = 429
		case f < 10:
			code, lat = 0, 10_000
		case f < 15 && route == "GET /users/{id}":
			code = 404
		case route == "POST /orders" || route == "POST /payments":
			code = 201
		case route == "GET /admin":
			code = 404
		}
		lag := time.Duration(h>>40%500) * time.Microsecond
		if h>>50%100 == 0 {
			lag += 5 * time.Millisecond
		}
		rs = append(rs, withLag(sample(route, at, code, ms(lat)), lag))
	}
	return rs
}

// pickRoute picks a route of DefaultMix for p in 0..99.
func pickRoute(p uint64) string {
	for _, rw := range scenarios.DefaultMix {
		if p < uint64(rw.Weight) {
			return rw.Route
		}
		p -= uint64(rw.Weight)
	}
	panic("weights do not sum to 100")
}

// syntheticMeta is the meta of syntheticRun, its SLOs set.
func syntheticMeta() Meta {
	m := testMeta(100, 10*time.Second, 2*time.Second)
	m.Scenario.SLO = scenarios.SLO{
		Availability: &scenarios.AvailabilitySLO{Objective: scenarios.Percent{Value: 99}},
		Latency: &scenarios.LatencySLO{Threshold: scenarios.Duration{Duration: 100 * time.Millisecond},
			Objective: scenarios.Percent{Value: 99.5}},
	}
	return m
}

func TestGolden(t *testing.T) {
	t.Parallel()
	r := Analyze(syntheticMeta(), syntheticRun())
	tests := []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"report.json", func(b *bytes.Buffer) error { return r.WriteJSON(b) }},
		{"report.md", func(b *bytes.Buffer) error { return r.WriteMarkdown(b) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, tt.write(&b))
			golden(t, filepath.Join("testdata", tt.name+".golden"), b.Bytes())
		})
	}
}

// golden compares got with the golden file at path, rewriting it first under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		t.Logf("updating %s", path)
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./reports -run %s -update to create it", t.Name())
	assert.Equal(t, string(want), string(got), "run go test ./reports -run %s -update after a deliberate change", t.Name())
}
