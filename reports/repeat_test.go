package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/rundir"
)

func TestSpreadOf(t *testing.T) {
	t.Parallel()
	s := SpreadOf([]float64{10, 12, 8, 10})
	assert.Equal(t, 10.0, s.Median)
	require.NotNil(t, s.CVPercent)
	assert.InDelta(t, 16.33, *s.CVPercent, 0.01, "sample sd √(8/3) ÷ mean 10")
	assert.Nil(t, SpreadOf([]float64{0, 0}).CVPercent, "mean 0: no CV")
	assert.Equal(t, []float64{}, SpreadOf(nil).Values)
}

func sampleReport(p50 time.Duration, spent float64) *Report {
	st := Stats{SuccessPercent: 99.5, Latency: Latency{P50: Duration(p50), P99: Duration(3 * p50)}}
	slo := SLOReport{Availability: &SLOResult{Budget: Budget{SpentPercent: &spent}}}
	return &Report{SchemaVersion: SchemaVersion, Overall: st, SLO: slo,
		Phases: []Phase{{Name: "baseline", Stats: st, SLO: slo}}}
}

// TestRepeatSummaryAndLoad: a repeat directory's summary has every phase's spread, and compare
// reads its runs back in order.
func TestRepeatSummaryAndLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var rs []*Report
	for i, p50 := range []time.Duration{10, 12, 8} {
		r := sampleReport(p50*time.Millisecond, float64(10*(i+1)))
		run := filepath.Join(dir, "run-"+string(rune('1'+i)))
		require.NoError(t, os.MkdirAll(run, 0o755))
		var b bytes.Buffer
		require.NoError(t, r.WriteJSON(&b))
		require.NoError(t, os.WriteFile(filepath.Join(run, rundir.ReportJSON), b.Bytes(), 0o644))
		rs = append(rs, r)
	}
	sum := Summarize("s", rs)
	require.NoError(t, sum.WriteFiles(dir))
	require.Len(t, sum.Phases, 2)
	assert.Equal(t, "overall", sum.Phases[0].Name)
	assert.Equal(t, 10.0, sum.Phases[1].P50.Median)
	assert.Equal(t, 30.0, sum.Phases[1].P99.Median)
	assert.Equal(t, 20.0, sum.Phases[1].BudgetSpent.Median)
	md, err := os.ReadFile(filepath.Join(dir, rundir.RepeatMarkdown))
	require.NoError(t, err)
	assert.Contains(t, string(md), "| baseline | 3 | 10.00ms (20.0%) | 30.00ms (20.0%) | 99.50% (0.0%) | 20.00% (50.0%) |")

	got, err := LoadSide(dir, true)
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, rs[2].Overall.Latency.P50, got[2].Overall.Latency.P50)
	_, err = LoadSide(filepath.Join(dir, "run-1"), true)
	assert.ErrorContains(t, err, "not a directory of repeats")
}
