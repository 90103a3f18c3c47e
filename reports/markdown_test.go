package reports

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/scenarios"
)

func TestVerdictLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		slo         scenarios.SLO
		interrupted bool
		want        string
	}{
		{"met", availability(90), false, "**SLOs met** · 800 requests over 8s (warm-up 2s excluded) · run `baseline-test`"},
		{"not met", availability(99.9), false,
			"**SLOs not met**: availability 99.125% < 99.9% · 800 requests over 8s (warm-up 2s excluded) · run `baseline-test`"},
		{"none", scenarios.SLO{}, false, "**No SLO set** · 800 requests over 8s (warm-up 2s excluded) · run `baseline-test`"},
		{"interrupted", availability(90), true,
			"**Interrupted** — the run was cut short; on what was measured, SLOs met · 800 requests over 7.99s (warm-up 2s excluded) · run `baseline-test`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			meta := syntheticMeta()
			meta.Scenario.SLO, meta.Interrupted = tt.slo, tt.interrupted
			r := Analyze(meta, syntheticRun())
			assert.Equal(t, tt.want, r.verdictLine())
			var b bytes.Buffer
			require.NoError(t, r.WriteMarkdown(&b))
			assert.Contains(t, b.String(), "\n"+tt.want+"\n")
		})
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	r := Analyze(syntheticMeta(), syntheticRun())
	assert.Equal(t, "baseline on local: SLOs not met: latency ≤ 100ms 98.5% < 99.5%; 800 requests, "+
		"100.0 rps achieved of 100.0 target, 98.625% success, p99 68.6ms", r.Summary())
}

func TestFormatting(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "0", count(0))
	assert.Equal(t, "999", count(999))
	assert.Equal(t, "1,000", count(1000))
	assert.Equal(t, "12,345,678", count(12345678))
	assert.Equal(t, "-1,000", count(-1000))
	assert.Equal(t, "99.999%", floorPercent(99.99999))
	assert.Equal(t, "100%", floorPercent(100))
	assert.Equal(t, "0.29%", floorPercent(0.29))
	assert.Equal(t, "99.9%", plainPercent(99.9))
	assert.Equal(t, "∞", spent(budgetOf(100, 10, 1)))
	assert.Equal(t, "33.3%", spent(budgetOf(97, 100, 1)))
	assert.Equal(t, "200 × 3 · 404 × 1,000 · no response × 2", statusLine(map[string]int{"0": 2, "404": 1000, "200": 3}))
	assert.Equal(t, "none", statusLine(nil))
}

func TestRouteTableEmptyRoute(t *testing.T) {
	t.Parallel()
	meta := testMeta(100, 10*time.Second, 0)
	meta.Scenario.Load.Mix = []scenarios.RouteWeight{{Route: "POST /orders", Weight: 3}, {Route: "POST /payments", Weight: 1}}
	r := Analyze(meta, evenly("POST /orders", 750, 0, 10*time.Second, 201, ms(20)))
	var b bytes.Buffer
	require.NoError(t, r.WriteMarkdown(&b))
	assert.Contains(t, b.String(), "\n| `POST /orders` | 750 | 75.0 | 75.0 | 100% | 20ms | 20ms | 20ms | 20ms | 20ms |\n")
	assert.Contains(t, b.String(), "\n| `POST /payments` | 0 | 25.0 | 0.0 | – | – | – | – | – | – |\n")
	assert.Contains(t, b.String(), "**No SLO set**")
	assert.NotContains(t, b.String(), "| SLO |")
	assert.NotContains(t, b.String(), "**Errors**")
}
