package reports

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// figure is one comparable figure: how to read it from a report and, for single runs, its
// per-second values.
type figure struct {
	scope, metric, unit string
	latency, success    bool // the effect rule: latency (% and ms) or success (points); else %
	get                 func(*Report) (float64, bool)
	perSecond           func(*Report) []float64 // nil: no per-second data
}

// figuresOf lists the figures of base and new that both reports have.
func figuresOf(base, new *Report) []figure {
	var fs []figure
	whole := func(r *Report) (Stats, Series, time.Duration, time.Duration, bool) {
		return r.Overall, r.Series, 0, 0, true
	}
	fs = append(fs, statsFigures("overall", whole)...)
	for _, p := range base.Phases {
		if slices.ContainsFunc(new.Phases, func(q Phase) bool { return q.Name == p.Name }) {
			fs = append(fs, statsFigures("phase:"+p.Name, phaseSource(p.Name))...)
		}
	}
	for _, name := range base.RouteOrder {
		if base.Routes[name].Requests > 0 && new.Routes[name].Requests > 0 {
			fs = append(fs, statsFigures("route:"+name, routeSource(name))...)
		}
	}
	fs = append(fs, sloFigures(base, new)...)
	for _, f := range base.Failover.Faults {
		fs = append(fs, faultFigures(f.Name)...)
	}
	return fs
}

// statsSource picks a Stats from a report, with its 1 s series and the span of it the Stats
// covers; ok is false when the report has none.
type statsSource func(*Report) (s Stats, series Series, from, to time.Duration, ok bool)

func phaseSource(name string) statsSource {
	return func(r *Report) (Stats, Series, time.Duration, time.Duration, bool) {
		i := slices.IndexFunc(r.Phases, func(p Phase) bool { return p.Name == name })
		if i < 0 {
			return Stats{}, Series{}, 0, 0, false
		}
		p := r.Phases[i]
		return p.Stats, r.Series, p.Start.Sub(r.Window.Start), p.End.Sub(r.Window.Start), p.Stats.Requests > 0
	}
}

func routeSource(name string) statsSource {
	return func(r *Report) (Stats, Series, time.Duration, time.Duration, bool) {
		s, ok := r.Routes[name]
		return s, r.RouteSeries[name], 0, 0, ok && s.Requests > 0
	}
}

// minP99Window is the fewest requests a window needs for its p99 to be a p99 and not merely
// its slowest request.
const minP99Window = 100

// statsFigures are p50, p99, p99.9 and success of one Stats. p99 is tested on the per-second
// windows that hold at least minP99Window requests (none at low rates: then it is not
// tested); p99.9 never is (a second holds too few requests for it).
func statsFigures(scope string, src statsSource) []figure {
	seriesMin := func(minReqs int, f func(SeriesPoint) float64) func(*Report) []float64 {
		return func(r *Report) []float64 {
			_, s, from, to, ok := src(r)
			if !ok {
				return nil
			}
			return seriesWithin(s, from, to, minReqs, f)
		}
	}
	series := func(f func(SeriesPoint) float64) func(*Report) []float64 { return seriesMin(1, f) }
	read := func(f func(Stats) float64) func(*Report) (float64, bool) {
		return func(r *Report) (float64, bool) {
			s, _, _, _, ok := src(r)
			return f(s), ok
		}
	}
	return []figure{
		{scope, "latency.p50", "ms", true, false, read(func(s Stats) float64 { return msOf(s.Latency.P50) }),
			series(func(p SeriesPoint) float64 { return msOf(p.P50) })},
		{scope, "latency.p99", "ms", true, false, read(func(s Stats) float64 { return msOf(s.Latency.P99) }),
			seriesMin(minP99Window, func(p SeriesPoint) float64 { return msOf(p.P99) })},
		{scope, "latency.p999", "ms", true, false, read(func(s Stats) float64 { return msOf(s.Latency.P999) }), nil},
		{scope, "successPercent", "%", false, true, read(func(s Stats) float64 { return s.SuccessPercent }),
			series(func(p SeriesPoint) float64 { return p.SuccessPercent })},
	}
}

// seriesWithin is f of each point of s with at least minReqs requests in [from, to) (to 0: to
// the end).
func seriesWithin(s Series, from, to time.Duration, minReqs int, f func(SeriesPoint) float64) []float64 {
	var out []float64
	for _, p := range s.Points {
		at := time.Duration(p.Offset)
		if p.Requests >= max(minReqs, 1) && at >= from && (to <= 0 || at < to) {
			out = append(out, f(p))
		}
	}
	return out
}

// sloFigures are the budget spent of each SLO both reports set.
func sloFigures(base, new *Report) []figure {
	var fs []figure
	for _, k := range []struct {
		name string
		pick func(*Report) *SLOResult
	}{{"availability", func(r *Report) *SLOResult { return r.SLO.Availability }},
		{"latency", func(r *Report) *SLOResult { return r.SLO.Latency }}} {
		if k.pick(base) == nil || k.pick(new) == nil {
			continue
		}
		fs = append(fs, figure{scope: "slo:" + k.name, metric: "budgetSpent", unit: "%", get: func(r *Report) (float64, bool) {
			s := k.pick(r)
			if s == nil || s.Budget.SpentPercent == nil {
				return 0, false
			}
			return *s.Budget.SpentPercent, true
		}})
	}
	return fs
}

// faultFigures are a fault's time to detect and to recover (per run only). A run that never
// recovered counts its whole horizon (Until − Injected), a lower bound; one in which nothing
// was affected has no time to detect.
func faultFigures(name string) []figure {
	pick := func(f func(FaultFailover) *Duration) func(*Report) (float64, bool) {
		return func(r *Report) (float64, bool) {
			i := slices.IndexFunc(r.Failover.Faults, func(x FaultFailover) bool { return x.Name == name })
			if i < 0 || r.Failover.Faults[i].Injected.IsZero() {
				return 0, false
			}
			ff := r.Failover.Faults[i]
			if d := f(ff); d != nil {
				return msOf(*d), true
			}
			if !ff.Recovered && !ff.Until.IsZero() {
				return ff.Until.Sub(ff.Injected).Seconds() * 1000, true
			}
			return 0, false
		}
	}
	return []figure{
		{scope: "fault:" + name, metric: "timeToDetect", unit: "ms", get: pick(func(f FaultFailover) *Duration { return f.TimeToDetect })},
		{scope: "fault:" + name, metric: "timeToRecover", unit: "ms", get: pick(func(f FaultFailover) *Duration { return f.TimeToRecover })},
	}
}

// compareFigure compares one figure over the runs of both sides; nil when a side lacks it.
func compareFigure(f figure, base, new []*Report, method string, o CompareOptions, rng *rand.Rand) *CompareRow {
	vb, vn := values(f, base), values(f, new)
	if len(vb) == 0 || len(vn) == 0 {
		return nil
	}
	row := &CompareRow{Scope: f.scope, Metric: f.metric, Unit: f.unit, Base: median(vb), New: median(vn), Method: method}
	row.Delta = row.New - row.Base
	if row.Base != 0 {
		p := row.Delta * 100 / math.Abs(row.Base)
		row.DeltaPercent = &p
	}
	row.Worse = worse(f, row, o)
	switch method {
	case methodMannWhitney:
		p := mannWhitneyP(vb, vn)
		row.PValue, row.Significant = &p, p < 1-o.Confidence
		if lo, hi, ok := shiftCI(vb, vn, o.Confidence); ok {
			row.CILow, row.CIHigh = &lo, &hi
		}
	default:
		bootstrapRow(f, row, base[0], new[0], o, rng)
	}
	row.Regression = row.Significant && row.Worse
	if row.CILow != nil {
		// The interval's near end must itself reach the minimum effect: at least that much
		// worse with the confidence asked for. (A shift between two batches of runs made at
		// different times — the host drifting — is significant yet small: not a regression.)
		near := *row.CILow
		if f.success {
			near = *row.CIHigh
		}
		row.Regression = row.Regression && worseBy(f, row.Base, near, o)
	}
	return row
}

// A single run's figure is tested on at least minBootstrapWindows windows a side, resampled
// from at least minBootstrapBlocks blocks: the block shrinks below CompareOptions.Block for a
// short series. A series no longer than one block resamples to itself every time, and its
// interval collapses to the observed difference: any difference, noise included, would be
// "significant" (a 4 s phase under 5 s blocks was a regression at +21% on the same build).
const (
	minBootstrapWindows = 8
	minBootstrapBlocks  = 4
)

// bootstrapRow tests a single run's figure on its per-second windows.
func bootstrapRow(f figure, row *CompareRow, base, new *Report, o CompareOptions, rng *rand.Rand) {
	if f.perSecond == nil {
		row.Method = methodNone
		return
	}
	a, b := f.perSecond(base), f.perSecond(new)
	n := min(len(a), len(b))
	row.Windows = n
	if n < minBootstrapWindows {
		row.Method = methodNone
		return
	}
	block := max(min(int(o.Block/time.Duration(base.Series.Step)), n/minBootstrapBlocks), 1)
	lo, hi := blockBootstrapCI(a, b, block, o.Resamples, o.Confidence, rng)
	d := Duration(time.Duration(block) * time.Duration(base.Series.Step))
	row.CILow, row.CIHigh, row.Block = &lo, &hi, &d
	row.Significant = lo > 0 || hi < 0
}

// values reads f from each report that has it.
func values(f figure, rs []*Report) []float64 {
	var out []float64
	for _, r := range rs {
		if v, ok := f.get(r); ok {
			out = append(out, v)
		}
	}
	return out
}

// worse reports whether a figure moved in its bad direction by at least the minimum effect.
func worse(f figure, row *CompareRow, o CompareOptions) bool {
	return worseBy(f, row.Base, row.Delta, o)
}

// worseBy reports whether a change of delta from base is at least the minimum effect in the
// figure's bad direction.
func worseBy(f figure, base, delta float64, o CompareOptions) bool {
	switch {
	case f.success:
		return -delta >= o.MinEffectSuccess
	case delta <= 0:
		return false
	case f.latency && delta < msOf(Duration(o.MinEffectLatency)):
		return false
	}
	return base == 0 || delta*100/math.Abs(base) >= o.MinEffectPercent
}
