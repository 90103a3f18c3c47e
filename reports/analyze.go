package reports

import (
	"slices"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/rundir"
)

// Analyze builds the report of a run from its exact samples, in any order. Samples intended
// before the end of the warm-up (Scenario.Warmup after StartedAt) are left out of every figure.
func Analyze(meta Meta, results []vegeta.Result) *Report {
	w := measuredWindow(meta, results)
	a := newAnalysis(meta, w)
	for i := range results {
		a.add(&results[i])
	}
	r := a.close(len(results))
	recs := sampleRecs(results, w, a.tally.threshold)
	r.Phases = analysePhases(meta, w, phaseSpans(meta, w), results)
	r.Series, r.Fine = seriesSet(recs, w)
	r.RouteSeries = routeSeries(recs, w)
	alertSeries := r.Series
	if r.Fine != nil {
		alertSeries = *r.Fine
	}
	r.Alerts = alertsOf(r.SLO, alertSeries, w.length())
	r.Trust = trustOf(r.Overall, meta.HostCPU, w)
	r.Ejections = ejectionsIn(meta.Ejections, w)
	r.Failover = failoverOf(meta, recs, w, r.SLO, r.Ejections)
	r.Repeat = RepeatInfo{Count: meta.Repeat, Index: meta.RepeatIndex}
	r.PolicyChanges = policyWithin(meta.PolicyChanges, w)
	r.Gates = EvaluateGates(meta.Gates, r)
	r.Verdict = Outcome(r.Gates)
	return r
}

// analysis accumulates the samples of one window — the whole measured run now, a phase
// later — and summarises them once, on close.
type analysis struct {
	meta    Meta
	w       window
	overall *accumulator
	routes  map[string]*accumulator
	tally   sloTally
	warm    int // samples intended before the window
}

func newAnalysis(meta Meta, w window) *analysis {
	a := &analysis{meta: meta, w: w, overall: newAccumulator(), routes: map[string]*accumulator{}}
	for route := range mixShares(meta.Scenario.Load.Mix) {
		a.routes[route] = newAccumulator()
	}
	if l := meta.Scenario.SLO.Latency; l != nil {
		a.tally.threshold = l.Threshold.Duration
	}
	return a
}

// add takes one sample.
func (a *analysis) add(r *vegeta.Result) {
	lag := sendLag(r)
	sent := a.w.sentWithin(r.Timestamp.Add(lag))
	if r.Timestamp.Before(a.w.start) {
		// Warm-up: out of every figure, but a late send that left within the window counts
		// towards the achieved rate.
		a.warm++
		if sent {
			a.overall.addSend()
			a.route(r).addSend()
		}
		return
	}
	a.overall.add(r, sent, lag)
	a.route(r).add(r, sent, lag)
	a.tally.add(r)
}

// route is the accumulator of r's route.
func (a *analysis) route(r *vegeta.Result) *accumulator {
	name := Classify(r.Method, r.URL)
	if a.routes[name] == nil {
		a.routes[name] = newAccumulator()
	}
	return a.routes[name]
}

// close builds the report of samples samples taken.
func (a *analysis) close(samples int) *Report {
	target := a.meta.TargetRate
	if target <= 0 {
		target = scheduleOf(a.meta.Scenario.Load).meanRate(a.w.start.Sub(a.w.origin), a.w.end.Sub(a.w.origin))
	}
	rep := &Report{
		SchemaVersion: SchemaVersion,
		Run:           runOf(a.meta, samples),
		Scenario:      a.meta.Scenario,
		Window:        a.w.export(a.warm),
		Overall:       a.overall.close(a.w.length(), target),
		Routes:        make(map[string]Stats, len(a.routes)),
		SLO:           judge(a.meta.Scenario.SLO, a.tally),
	}
	shares := mixShares(a.meta.Scenario.Load.Mix)
	for route, acc := range a.routes {
		rep.RouteOrder = append(rep.RouteOrder, route)
		rep.Routes[route] = acc.close(a.w.length(), shares[route]*target)
	}
	sortRoutes(rep.RouteOrder)
	return rep
}

// sendLag is how late r was actually sent after its intended send time (rundir.SendLag); 0
// when r carries none (samples from before the annotation).
func sendLag(r *vegeta.Result) time.Duration {
	lag, _ := rundir.SendLag(r.Headers)
	return lag
}

// runOf is the Run section of a report.
func runOf(m Meta, samples int) Run {
	return Run{
		ID: m.RunID, Scenario: m.Scenario.Name, Backend: m.Backend, Seed: m.Seed,
		StartedAt: m.StartedAt.UTC(), Versions: m.Versions, Machine: m.Machine,
		MeshReady: Duration(m.MeshReady), Interrupted: m.Interrupted,
		ScheduledRequests: m.ScheduledRequests, Samples: samples,
	}
}

// policyWithin is the policy changes within w, in UTC.
func policyWithin(pcs []PolicyMark, w window) []PolicyMark {
	out := []PolicyMark{}
	for _, p := range pcs {
		if w.sentWithin(p.At) {
			out = append(out, PolicyMark{At: p.At.UTC(), Name: p.Name, Version: p.Version})
		}
	}
	return out
}

// ejectionsIn are the ejections made within the measured window, by time, in UTC.
func ejectionsIn(evs []EjectionEvent, w window) []EjectionEvent {
	out := []EjectionEvent{}
	for _, e := range evs {
		if w.sentWithin(e.At) {
			e.At, e.Until = e.At.UTC(), e.Until.UTC()
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b EjectionEvent) int { return a.At.Compare(b.At) })
	return out
}
