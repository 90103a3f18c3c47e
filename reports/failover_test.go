package reports

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/scenarios"
)

// outageRun is a 100 req/s run of 20 s (2 s warm-up) in which every request intended in
// [from, to) fails without a response; the others take 5 ms.
func outageRun(from, to time.Duration) []vegeta.Result {
	var rs []vegeta.Result
	for i := range 2000 {
		at := time.Duration(i) * 10 * time.Millisecond
		code, lat := uint16(200), 5*time.Millisecond
		if at >= from && at < to {
			code, lat = 0, time.Second
		}
		rs = append(rs, withLag(sample(scenarios.DefaultMix[i%5].Route, at, code, lat), 100*time.Microsecond))
	}
	return rs
}

// faultMeta is the meta of outageRun, one fault injected at 8 s and removed at 11 s.
func faultMeta() Meta {
	m := testMeta(100, 20*time.Second, 2*time.Second)
	m.Scenario.SLO = scenarios.SLO{
		Availability: &scenarios.AvailabilitySLO{Objective: scenarios.Percent{Value: 99}},
		Latency: &scenarios.LatencySLO{Threshold: scenarios.Duration{Duration: 100 * time.Millisecond},
			Objective: scenarios.Percent{Value: 99}},
	}
	m.Faults = []FaultRecord{{Name: "payment-kill", Kind: "PodChaos", Action: "pod-kill", Selected: []string{"payment-1"},
		Scheduled: t0.Add(8 * time.Second), Injected: t0.Add(8 * time.Second), Removed: t0.Add(11 * time.Second)}}
	m.Gates = []string{"failover.timeToRecover < 5s", "faults.payment-kill.requestsFailed <= 20",
		"phase.baseline.latency.p99 < 250ms", "slo.availability.budgetSpent < 50%"}
	return m
}

func TestFailoverOutage(t *testing.T) {
	t.Parallel()
	r := Analyze(faultMeta(), outageRun(8*time.Second, 11*time.Second))
	require.Len(t, r.Failover.Faults, 1)
	f := r.Failover.Faults[0]
	require.NotNil(t, f.TimeToRecover)
	assert.InDelta(t, 3000, msOf(*f.TimeToRecover), 20, "a 3 s outage takes about 3 s to recover from")
	require.NotNil(t, f.TimeToDetect)
	assert.Zero(t, *f.TimeToDetect)
	assert.Equal(t, 300, f.RequestsFailed)
	assert.True(t, f.Recovered)
	assert.False(t, f.Metastable)
	assert.Equal(t, t0.Add(8*time.Second), f.Effective.UTC())

	names := []string{}
	for _, p := range r.Phases {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"baseline", "fault:payment-kill", "recovery:payment-kill"}, names)
	assert.Equal(t, 600, r.Phases[0].Stats.Requests)
	assert.Equal(t, 0, r.Phases[1].Stats.Successes)
	assert.Equal(t, 900, r.Phases[2].Stats.Requests)
	require.NotNil(t, r.Phases[1].Burn.Availability)
	assert.InDelta(t, 100, *r.Phases[1].Burn.Availability, 1e-9, "all bad at 99%: burn 1/0.01")
	assert.InDelta(t, 0, *r.Phases[0].Burn.Availability, 1e-9)

	assert.True(t, r.Trust.Trusted, r.Trust.Reasons)
	statuses := map[string]string{}
	for _, g := range r.Gates {
		statuses[g.Expr] = g.Status
	}
	assert.Equal(t, map[string]string{
		"failover.timeToRecover < 5s": GatePass, "faults.payment-kill.requestsFailed <= 20": GateFail,
		"phase.baseline.latency.p99 < 250ms": GatePass, "slo.availability.budgetSpent < 50%": GateFail,
	}, statuses)
	assert.Equal(t, GateFail, r.Verdict)
}

func TestFailoverMetastable(t *testing.T) {
	t.Parallel()
	// The fault is removed at 11 s but the failures go on to the end.
	r := Analyze(faultMeta(), outageRun(8*time.Second, 30*time.Second))
	f := r.Failover.Faults[0]
	assert.False(t, f.Recovered)
	assert.True(t, f.Metastable)
	assert.Nil(t, f.TimeToRecover)
	assert.Equal(t, 1200, f.RequestsFailed)
	g := r.Gates[0]
	assert.Equal(t, GateFail, g.Status)
	assert.Equal(t, "never", g.Observed)
}

func TestBurnAlertsOutage(t *testing.T) {
	t.Parallel()
	r := Analyze(faultMeta(), outageRun(8*time.Second, 11*time.Second))
	require.NotNil(t, r.Fine, "a run under a minute has a 100 ms series")
	page := r.Alerts[0]
	assert.Equal(t, "availability", page.SLO)
	assert.Equal(t, "page", page.Severity)
	assert.Equal(t, Duration(time.Second), page.Short, "18 s × 1h/30d is below the 1 s floor")
	assert.Equal(t, Duration(time.Second), page.Long)
	require.True(t, page.Fired)
	// 6 s into the window the outage starts; 20 of the last 100 requests bad burns 20×.
	assert.Equal(t, Duration(6200*time.Millisecond), *page.FirstAt)
	assert.Equal(t, Duration(3700*time.Millisecond), page.FiringFor)
}

func TestAlertWindowsScale(t *testing.T) {
	t.Parallel()
	long, short := alertWindows(30*24*time.Hour, time.Hour)
	assert.Equal(t, time.Hour, long)
	assert.Equal(t, 5*time.Minute, short)
	long, short = alertWindows(30*24*time.Hour, 6*time.Hour)
	assert.Equal(t, 6*time.Hour, long)
	assert.Equal(t, 30*time.Minute, short)
}

func TestTrustHostSaturated(t *testing.T) {
	t.Parallel()
	m := faultMeta()
	for i := range 20 {
		m.HostCPU = append(m.HostCPU, CPUSample{At: t0.Add(time.Duration(i) * time.Second), BusyPercent: 95})
	}
	r := Analyze(m, outageRun(8*time.Second, 11*time.Second))
	assert.False(t, r.Trust.Trusted)
	require.Len(t, r.Trust.Reasons, 1)
	assert.Contains(t, r.Trust.Reasons[0], "host saturated")
	for _, g := range r.Gates {
		assert.Equal(t, GateInconclusive, g.Status, g.Expr)
	}
	assert.Equal(t, GateInconclusive, r.Verdict)
}

func TestBudgetSpentExactly(t *testing.T) {
	t.Parallel()
	m := faultMeta()
	m.Faults, m.Gates = nil, []string{"slo.availability.budgetSpent <= 100%", "slo.availability.budgetSpent < 100%"}
	// 1800 measured requests at 99%: 18 allowed; 18 fail.
	r := Analyze(m, outageRun(8*time.Second, 8180*time.Millisecond))
	require.NotNil(t, r.SLO.Availability.Budget.SpentPercent)
	assert.InDelta(t, 100, *r.SLO.Availability.Budget.SpentPercent, 1e-9)
	assert.Equal(t, GatePass, r.Gates[0].Status)
	assert.Equal(t, GateFail, r.Gates[1].Status)
}

func TestMarkdownFaultGolden(t *testing.T) {
	t.Parallel()
	m := faultMeta()
	m.PolicyChanges = []PolicyMark{{At: t0.Add(15 * time.Second), Name: "retries", Version: 2}}
	m.Mesh = []MeshScrape{
		{At: t0.Add(7 * time.Second), Counters: map[string]float64{"requests": 1000, "retries": 10, "ejections": 0}},
		{At: t0.Add(20 * time.Second), Counters: map[string]float64{"requests": 2300, "retries": 270, "ejections": 2}},
	}
	m.Ejections = []EjectionEvent{
		{At: t0.Add(1 * time.Second), Until: t0.Add(11 * time.Second), Duration: Duration(10 * time.Second),
			By: "order-0", Service: "payment", Endpoint: "payment-2", Count: 1, Reason: "consecutive-5xx"}, // in the warm-up
		{At: t0.Add(8250 * time.Millisecond), Until: t0.Add(19 * time.Second), Duration: Duration(10 * time.Second),
			By: "order-1", Service: "payment", Endpoint: "payment-1", Count: 1, Reason: "consecutive-gateway-errors"},
		{At: t0.Add(8100 * time.Millisecond), Until: t0.Add(19 * time.Second), Duration: Duration(10 * time.Second),
			By: "order-0", Service: "payment", Endpoint: "payment-1", Count: 1, Reason: "consecutive-gateway-errors"},
	}
	r := Analyze(m, outageRun(8*time.Second, 11*time.Second))
	var b bytes.Buffer
	require.NoError(t, r.WriteMarkdown(&b))
	golden(t, filepath.Join("testdata", "fault-report.md.golden"), b.Bytes())
	require.Len(t, r.Ejections, 2, "the warm-up's ejection is outside the measured window")
	assert.Equal(t, "order-0", r.Ejections[0].By, "oldest first")
	ev := r.Failover.Faults[0].EjectionEvents
	require.Len(t, ev, 2)
	assert.Equal(t, "payment-1", ev[0].Endpoint)
	assert.Equal(t, Duration(100*time.Millisecond), ev[0].AfterInjection, "ejected 100 ms after the kill")
	assert.Equal(t, Duration(250*time.Millisecond), ev[1].AfterInjection)
	assert.Equal(t, "recovery:payment-kill@retries/v2", r.Phases[3].Name)
	require.NotNil(t, r.Failover.Faults[0].RetryAmplification)
	assert.InDelta(t, 0.2, *r.Failover.Faults[0].RetryAmplification, 1e-9)
}
