package reports

import (
	"math"
	"net/http"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/scenarios"
)

// IsBad reports whether a request with status code counts against availability: no response
// (code 0: a transport error or a timeout), a 5xx, or a 429. Every other request is good.
func IsBad(code uint16) bool {
	return code == 0 || code >= 500 || code == http.StatusTooManyRequests
}

// sloTally counts the events the SLOs judge, over one window.
type sloTally struct {
	threshold         time.Duration // the latency SLO's; fast means good and within it
	valid, good, fast int
}

// add takes one request of the window.
func (t *sloTally) add(r *vegeta.Result) {
	t.valid++
	if IsBad(r.Code) {
		return
	}
	t.good++
	if r.Latency <= t.threshold {
		t.fast++
	}
}

// judge judges the tallied window against slo.
func judge(slo scenarios.SLO, t sloTally) SLOReport {
	var rep SLOReport
	if a := slo.Availability; a != nil {
		rep.Availability = newSLOResult(a.Objective.Value, t.valid, t.good)
	}
	if l := slo.Latency; l != nil {
		rep.Latency = newSLOResult(l.Objective.Value, t.valid, t.fast)
		rep.Latency.Threshold = Duration(l.Threshold.Duration)
	}
	rep.Verdict = VerdictNone
	for _, r := range []*SLOResult{rep.Availability, rep.Latency} {
		switch {
		case r == nil:
		case !r.Met:
			rep.Verdict = VerdictNotMet
		case rep.Verdict == VerdictNone:
			rep.Verdict = VerdictMet
		}
	}
	return rep
}

// newSLOResult judges good events out of valid against objective (0–100). A window without
// a valid event meets no objective: a run that measured nothing must not pass a gate.
func newSLOResult(objective float64, valid, good int) *SLOResult {
	bad := valid - good
	b := budgetOf(objective, valid, bad)
	return &SLOResult{
		ObjectivePercent: objective,
		AchievedPercent:  percent(good, valid),
		Valid:            valid,
		Good:             good,
		Bad:              bad,
		Budget:           b,
		Met:              valid > 0 && float64(bad) <= b.Allowed,
	}
}

// budgetOf is the error budget of objective (0–100) over valid events, bad of them spent.
// Allowed is rounded to 6 decimals so that an objective written in decimal gives the budget a
// person computes: 99.9% of 1000 allows exactly 1, not 0.9999999999999432.
func budgetOf(objective float64, valid, bad int) Budget {
	allowed := max(0, (100-objective)*float64(valid)/100)
	allowed = round6(allowed)
	b := Budget{Allowed: allowed, Spent: bad, Remaining: round6(allowed - float64(bad))}
	switch {
	case allowed > 0:
		p := float64(bad) * 100 / allowed
		b.SpentPercent = &p
	case bad == 0:
		p := 0.0
		b.SpentPercent = &p
	}
	return b
}

// round6 rounds x to 6 decimals.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
