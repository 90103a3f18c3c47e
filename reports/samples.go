package reports

import (
	"slices"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// sampleRec is one request of the measured window, reduced to what phases, series, burn
// alerts and failover need.
type sampleRec struct {
	at      time.Time     // intended send time
	route   string        // as Classify names it
	latency time.Duration // from the intended send time
	ok      bool          // status 200–399
	bad     bool          // counts against availability (IsBad)
	slow    bool          // good but over the latency SLO's threshold
}

// affected reports whether the request was hurt: failed or too slow.
func (s sampleRec) affected() bool { return s.bad || s.slow }

// sampleRecs returns the requests of w in time order; threshold 0 means no latency SLO.
func sampleRecs(results []vegeta.Result, w window, threshold time.Duration) []sampleRec {
	out := make([]sampleRec, 0, len(results))
	for i := range results {
		r := &results[i]
		if r.Timestamp.Before(w.start) {
			continue
		}
		s := sampleRec{at: r.Timestamp, route: Classify(r.Method, r.URL), latency: r.Latency, ok: r.Code >= 200 && r.Code < 400, bad: IsBad(r.Code)}
		s.slow = !s.bad && threshold > 0 && r.Latency > threshold
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b sampleRec) int { return a.at.Compare(b.at) })
	return out
}

// analysePhases analyses each span of the run with the accumulators of the whole.
func analysePhases(meta Meta, w window, spans []phaseSpan, results []vegeta.Result) []Phase {
	if len(spans) == 0 {
		return []Phase{}
	}
	accs := make([]*analysis, len(spans))
	for i, s := range spans {
		accs[i] = newAnalysis(meta, window{origin: w.origin, start: s.start, end: s.end})
	}
	for i := range results {
		r := &results[i]
		if r.Timestamp.Before(w.start) {
			continue
		}
		j, found := slices.BinarySearchFunc(spans, r.Timestamp, func(s phaseSpan, t time.Time) int { return s.start.Compare(t) })
		if !found {
			j--
		}
		accs[j].add(r)
	}
	out := make([]Phase, len(spans))
	for i, s := range spans {
		rep := accs[i].close(0)
		out[i] = Phase{
			Name: s.name, Kind: s.kind, Faults: s.faults, Start: s.start.UTC(), End: s.end.UTC(),
			Length: Duration(s.end.Sub(s.start)), Stats: rep.Overall, Routes: rep.Routes, SLO: rep.SLO,
			Burn: burnRatesOf(rep.SLO), Mesh: meshBetween(meta.Mesh, s.start, s.end),
		}
		if out[i].Faults == nil {
			out[i].Faults = []string{}
		}
	}
	return out
}

// burnRatesOf is the burn rate of each SLO of s.
func burnRatesOf(s SLOReport) BurnRates {
	return BurnRates{Availability: burnOf(s.Availability), Latency: burnOf(s.Latency)}
}

// burnOf is bad ratio ÷ (1 − objective); nil for no SLO, 0 for no requests.
func burnOf(r *SLOResult) *float64 {
	if r == nil {
		return nil
	}
	b := 0.0
	if r.Valid > 0 && r.ObjectivePercent < 100 {
		b = round6(float64(r.Bad) / float64(r.Valid) / (1 - r.ObjectivePercent/100))
	}
	return &b
}
