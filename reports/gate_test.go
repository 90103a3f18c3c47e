package reports

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseGate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr  string
		path  []string
		op    string
		value float64
	}{
		{"failover.timeToRecover < 5s", []string{"failover", "timeToRecover"}, "<", 5000},
		{"slo.availability.budgetSpent<50%", []string{"slo", "availability", "budgetSpent"}, "<", 50},
		{"phase.baseline.latency.p99 <= 250ms", []string{"phase", "baseline", "latency", "p99"}, "<=", 250},
		{`route."GET /users/{id}".latency.p99 != 1.5s`, []string{"route", "GET /users/{id}", "latency", "p99"}, "!=", 1500},
		{"faults.payment-kill.requestsFailed >= 20", []string{"faults", "payment-kill", "requestsFailed"}, ">=", 20},
		{"overall.successPercent == 99.9", []string{"overall", "successPercent"}, "==", 99.9},
		{`phase."fault:a".latency.p50 > 800us`, []string{"phase", "fault:a", "latency", "p50"}, ">", 0.8},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			g, err := ParseGate(tt.expr)
			require.NoError(t, err)
			assert.Equal(t, tt.path, g.Path)
			assert.Equal(t, tt.op, g.Op)
			assert.InDelta(t, tt.value, g.Value, 1e-9)
		})
	}
}

func TestParseGateErrors(t *testing.T) {
	t.Parallel()
	for _, expr := range []string{
		"failover.timeToRecover 5s",          // no operator
		"failover.timeToHeal < 5s",           // unknown figure
		"overall.latency.p98 < 5ms",          // unknown stats figure
		"slo.availability.budgetSpent < 5ms", // wrong unit
		"failover.timeToRecover < 5",         // a duration needs a unit
		"faults.payment-kill.requestsFailed < 2%",
		"nonsense < 1",
		`route."GET /users.latency.p99 < 1s`,
	} {
		_, err := ParseGate(expr)
		assert.True(t, errors.Is(err, ErrGate), "%q: %v", expr, err)
	}
}

func TestCheckGate(t *testing.T) {
	t.Parallel()
	faults := []string{"payment-kill", "net-delay"}
	for _, ok := range []string{
		"faults.payment-kill.timeToDetect < 1s", "phase.baseline.latency.p99 < 1s",
		"phase.fault:payment-kill.successPercent > 90", "phase.recovery:net-delay@retries/v2.latency.max < 1s",
		`phase."fault:payment-kill+net-delay".requests > 0`, `route."POST /orders".latency.p99 < 1s`,
	} {
		assert.NoError(t, CheckGate(ok, faults), ok)
	}
	for _, bad := range []string{
		"faults.payment-kil.timeToDetect < 1s", "phase.warmup.latency.p99 < 1s",
		"phase.fault:other.successPercent > 90", `route."GET /nope".latency.p99 < 1s`,
	} {
		assert.ErrorIs(t, CheckGate(bad, faults), ErrGate, bad)
	}
}

func TestGateInconclusiveWhenMissing(t *testing.T) {
	t.Parallel()
	r := Analyze(faultMeta(), outageRun(8e9, 11e9))
	for _, expr := range []string{"phase.recovery:nope.latency.p99 < 1s", "faults.nope.timeToRecover < 1s",
		"faults.payment-kill.ejections < 1"} {
		g, err := ParseGate(expr)
		require.NoError(t, err)
		res := g.Evaluate(r)
		assert.Equal(t, GateInconclusive, res.Status, expr)
		assert.NotEmpty(t, res.Reason)
	}
}

func TestJUnitGolden(t *testing.T) {
	t.Parallel()
	m := faultMeta()
	m.Gates = append(m.Gates, "faults.payment-kill.ejections < 1")
	r := Analyze(m, outageRun(8e9, 11e9))
	var b bytes.Buffer
	require.NoError(t, r.WriteJUnit(&b))
	golden(t, filepath.Join("testdata", "junit.xml.golden"), b.Bytes())
}
