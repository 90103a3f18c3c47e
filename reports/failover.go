package reports

import (
	"slices"
	"time"
)

// Failover analysis defaults.
const (
	// FailoverWindow is the rolling window that must stay within the SLO for a fault to count
	// as recovered from.
	FailoverWindow = time.Second
	// failoverStep is how finely the rolling window slides.
	failoverStep = 10 * time.Millisecond
)

// Failover is how the mesh rode out each fault.
type Failover struct {
	Window Duration        `json:"windowMs"` // the rolling window of recovery
	Faults []FaultFailover `json:"faults"`
}

// FaultFailover is one fault's timeline and cost. A request is affected when it failed
// (IsBad) or was good but slower than the latency SLO's threshold.
type FaultFailover struct {
	FaultRecord
	// Effective is when the first request observed to be affected by the fault was intended,
	// at or after injection: one that failed, or was slower than anything its route saw in
	// the baseline (so a delay within the SLO still shows when it took hold).
	Effective *time.Time `json:"effective"`
	// Until is the end of the fault's horizon: the next fault's injection or the window's end.
	Until time.Time `json:"until"`
	// TimeToDetect is from injection to the first request outside the SLO (failed, or slower
	// than the latency SLO's threshold); null when none was.
	TimeToDetect *Duration `json:"timeToDetectMs"`
	// TimeToRecover is from injection to the first moment after which every rolling window
	// to Until is within the SLO; null when that never happened.
	TimeToRecover *Duration `json:"timeToRecoverMs"`
	Recovered     bool      `json:"recovered"`
	// Metastable: the fault was removed and the system still did not recover by Until.
	Metastable bool `json:"metastable"`
	// RequestsFailed and RequestsSlowed count the affected requests from injection to the end
	// of the first rolling window within the SLO (or to Until).
	RequestsFailed int `json:"requestsFailed"`
	RequestsSlowed int `json:"requestsSlowed"`
	// RetryAmplification is the sidecars' retries per mesh request over the horizon, from
	// the mesh scrapes around it; Ejections the outlier ejections. Null without scrapes.
	RetryAmplification *float64 `json:"retryAmplification"`
	Ejections          *float64 `json:"ejections"`
	// EjectionEvents are the ejections made from injection to Until, each with its delay
	// after injection: when the mesh reacted, and how long it kept the endpoint out.
	EjectionEvents []FaultEjection `json:"ejectionEvents"`
}

// FaultEjection is an ejection during a fault's horizon.
type FaultEjection struct {
	EjectionEvent
	AfterInjection Duration `json:"afterInjectionMs"`
}

// failoverOf analyses each fault of m over recs (in time order) within w; ejections are the
// window's, in time order.
func failoverOf(m Meta, recs []sampleRec, w window, slo SLOReport, ejections []EjectionEvent) Failover {
	f := Failover{Window: Duration(FailoverWindow), Faults: []FaultFailover{}}
	base := baselineMax(m.Faults, recs)
	for _, rec := range m.Faults {
		ff := FaultFailover{FaultRecord: rec, EjectionEvents: []FaultEjection{}}
		if !rec.Injected.IsZero() && rec.Injected.Before(w.end) {
			ff.Until = horizonOf(m.Faults, rec, w.end)
			analyseFault(&ff, recs, slo)
			ff.Effective = effectiveOf(recs, rec.Injected, ff.Until, base)
			ff.RetryAmplification, ff.Ejections = meshDeltas(m.Mesh, rec.Injected, ff.Until)
			ff.EjectionEvents = ejectionsWithin(ejections, rec.Injected, ff.Until)
		}
		f.Faults = append(f.Faults, ff)
	}
	return f
}

// horizonOf is when the next fault after f is injected, or end.
func horizonOf(faults []FaultRecord, f FaultRecord, end time.Time) time.Time {
	h := end
	for _, o := range faults {
		if o.Name != f.Name && o.Injected.After(f.Injected) && o.Injected.Before(h) {
			h = o.Injected
		}
	}
	return h
}

// analyseFault fills in the timeline and cost of ff from the requests in its horizon.
func analyseFault(ff *FaultFailover, recs []sampleRec, slo SLOReport) {
	inj := ff.Injected
	lo, _ := slices.BinarySearchFunc(recs, inj, func(r sampleRec, t time.Time) int { return r.at.Compare(t) })
	hi, _ := slices.BinarySearchFunc(recs, ff.Until, func(r sampleRec, t time.Time) int { return r.at.Compare(t) })
	in := recs[lo:max(hi, lo)]
	for _, r := range in {
		if r.affected() {
			d := Duration(r.at.Sub(inj))
			ff.TimeToDetect = &d
			break
		}
	}
	ttr, ok := recoveryOf(in, inj, ff.Until, slo)
	recoveredAt := ff.Until
	if ok {
		d := Duration(ttr)
		ff.TimeToRecover, ff.Recovered = &d, true
		recoveredAt = inj.Add(ttr + FailoverWindow) // the first window within the SLO may hold a few
	}
	ff.Metastable = !ok && !ff.Removed.IsZero() && ff.Removed.Before(ff.Until)
	for _, r := range in {
		if !r.at.Before(recoveredAt) || !r.at.Before(ff.Until) {
			break
		}
		if r.bad {
			ff.RequestsFailed++
		} else if r.slow {
			ff.RequestsSlowed++
		}
	}
}

// recoveryOf finds the first offset from inj after which every rolling FailoverWindow up to
// until is within the SLO; ok is false when the last one is not.
func recoveryOf(in []sampleRec, inj, until time.Time, slo SLOReport) (time.Duration, bool) {
	nb := max(int((until.Sub(inj)+failoverStep-1)/failoverStep), 1)
	reqs, bads, slows := make([]int, nb+1), make([]int, nb+1), make([]int, nb+1)
	for _, r := range in {
		i := min(int(r.at.Sub(inj)/failoverStep), nb-1) + 1
		reqs[i]++
		if r.bad {
			bads[i]++
		}
		if r.slow {
			slows[i]++
		}
	}
	for i := 1; i <= nb; i++ {
		reqs[i] += reqs[i-1]
		bads[i] += bads[i-1]
		slows[i] += slows[i-1]
	}
	nw := min(int(FailoverWindow/failoverStep), nb)
	first := -1
	for i := nb - nw; i >= 0; i-- {
		n, b, s := reqs[i+nw]-reqs[i], bads[i+nw]-bads[i], slows[i+nw]-slows[i]
		if !withinSLO(n, b, s, slo) {
			break
		}
		first = i
	}
	if first < 0 {
		return 0, false
	}
	return time.Duration(first) * failoverStep, true
}

// withinSLO reports whether n requests, bad of them failed and slow too slow, meet the SLOs;
// without an SLO, whether none was affected. No requests is within.
func withinSLO(n, bad, slow int, slo SLOReport) bool {
	if n == 0 {
		return true
	}
	if slo.Availability == nil && slo.Latency == nil {
		return bad+slow == 0
	}
	if a := slo.Availability; a != nil && float64(n-bad)*100 < a.ObjectivePercent*float64(n) {
		return false
	}
	if l := slo.Latency; l != nil && float64(n-bad-slow)*100 < l.ObjectivePercent*float64(n) {
		return false
	}
	return true
}

// meshDeltas are the retries per request and the ejections the sidecars counted over
// [from, to] (see meshBetween).
func meshDeltas(scrapes []MeshScrape, from, to time.Time) (amp, ejections *float64) {
	v := meshBetween(scrapes, from, to)
	if v == nil {
		return nil, nil
	}
	return v.RetriesPerRequest, &v.Counters.Ejections
}

// baselineMax is each route's slowest good request before the first injection.
func baselineMax(faults []FaultRecord, recs []sampleRec) map[string]time.Duration {
	first := time.Time{}
	for _, f := range faults {
		if !f.Injected.IsZero() && (first.IsZero() || f.Injected.Before(first)) {
			first = f.Injected
		}
	}
	base := map[string]time.Duration{}
	for _, r := range recs {
		if !first.IsZero() && !r.at.Before(first) {
			break
		}
		if !r.bad {
			base[r.route] = max(base[r.route], r.latency)
		}
	}
	return base
}

// effectiveOf is when the first request intended in [inj, until) failed, or was slower than
// its route's baseline maximum; nil when none was (or the route had no baseline).
func effectiveOf(recs []sampleRec, inj, until time.Time, base map[string]time.Duration) *time.Time {
	lo, _ := slices.BinarySearchFunc(recs, inj, func(r sampleRec, t time.Time) int { return r.at.Compare(t) })
	for _, r := range recs[lo:] {
		if !r.at.Before(until) {
			break
		}
		if m, ok := base[r.route]; r.bad || (ok && r.latency > m) {
			at := r.at.UTC()
			return &at
		}
	}
	return nil
}

// ejectionsWithin are the ejections of evs (in time order) made in [from, to).
func ejectionsWithin(evs []EjectionEvent, from, to time.Time) []FaultEjection {
	out := []FaultEjection{}
	for _, e := range evs {
		if !e.At.Before(from) && e.At.Before(to) {
			out = append(out, FaultEjection{EjectionEvent: e, AfterInjection: Duration(e.At.Sub(from))})
		}
	}
	return out
}
