package reports

import "time"

// Multi-window, multi-burn-rate alerts of the Google SRE workbook, as ratios of its 30-day
// SLO window; a run scales them to its own length.
const (
	sloPeriod        = 30 * 24 * time.Hour
	PageBurnRate     = 14.4 // over 1 h and 5 min of 30 days
	TicketBurnRate   = 6.0  // over 6 h and 30 min of 30 days
	MinAlertWindow   = time.Second
	shortWindowRatio = 12 // short window = long ÷ 12
)

// Alert is one burn-rate alert evaluated over the run.
type Alert struct {
	SLO      string   `json:"slo"`      // "availability" or "latency"
	Severity string   `json:"severity"` // "page" or "ticket"
	BurnRate float64  `json:"burnRate"` // threshold on both windows
	Long     Duration `json:"longWindowMs"`
	Short    Duration `json:"shortWindowMs"`
	Fired    bool     `json:"fired"`
	// FirstAt is the offset from the window's start at which it first fired (the end of
	// both windows), null when it never did.
	FirstAt *Duration `json:"firstAtMs"`
	// FiringFor is how long, in total, it would have been firing.
	FiringFor Duration `json:"firingForMs"`
}

// alertWindows are the long and short windows of an alert of base (1 h or 6 h of 30 days)
// scaled to a run of length run: long = run × base/30 d, short = long/12, at least
// MinAlertWindow; long is never shorter than short.
func alertWindows(run, base time.Duration) (long, short time.Duration) {
	long = time.Duration(float64(run) * float64(base) / float64(sloPeriod))
	short = max(long/shortWindowRatio, MinAlertWindow)
	return max(long, short), short
}

// alertsOf evaluates the page and ticket alerts of each SLO set on s, sliding both windows
// one step at a time.
func alertsOf(slo SLOReport, s Series, run time.Duration) []Alert {
	out := []Alert{}
	for _, k := range []struct {
		name string
		res  *SLOResult
		bad  func(SeriesPoint) int
	}{
		{"availability", slo.Availability, func(p SeriesPoint) int { return p.Bad }},
		{"latency", slo.Latency, func(p SeriesPoint) int { return p.Bad + p.Slow }},
	} {
		if k.res == nil {
			continue
		}
		for _, sev := range []struct {
			name string
			rate float64
			base time.Duration
		}{{"page", PageBurnRate, time.Hour}, {"ticket", TicketBurnRate, 6 * time.Hour}} {
			long, short := alertWindows(run, sev.base)
			a := Alert{SLO: k.name, Severity: sev.name, BurnRate: sev.rate, Long: Duration(long), Short: Duration(short)}
			evalAlert(&a, s, k.bad, k.res.ObjectivePercent)
			out = append(out, a)
		}
	}
	return out
}

// evalAlert fires a at every step whose trailing long and short windows both burn at least
// a.BurnRate, from the first step at which the long window is whole (a run shorter than it:
// at its end).
func evalAlert(a *Alert, s Series, bad func(SeriesPoint) int, objective float64) {
	step := time.Duration(s.Step)
	if step <= 0 || objective >= 100 {
		return
	}
	nl := steps(time.Duration(a.Long), step)
	ns := steps(time.Duration(a.Short), step)
	reqs, bads := prefix(s.Points, func(p SeriesPoint) int { return p.Requests }), prefix(s.Points, bad)
	budget := 1 - objective/100
	burn := func(end, n int) float64 {
		from := max(end-n, 0)
		r := reqs[end] - reqs[from]
		if r == 0 {
			return 0
		}
		return float64(bads[end]-bads[from]) / float64(r) / budget
	}
	for i := min(nl, len(s.Points)); i <= len(s.Points); i++ {
		if burn(i, nl) >= a.BurnRate && burn(i, ns) >= a.BurnRate {
			if !a.Fired {
				at := Duration(time.Duration(i) * step)
				a.Fired, a.FirstAt = true, &at
			}
			a.FiringFor += Duration(step)
		}
	}
}

// steps is how many steps of step make d, rounded to the nearest, at least 1.
func steps(d, step time.Duration) int { return max(int((d+step/2)/step), 1) }

// prefix is the prefix sums of f over pts: out[i] is the sum over pts[:i].
func prefix(pts []SeriesPoint, f func(SeriesPoint) int) []int {
	out := make([]int, len(pts)+1)
	for i, p := range pts {
		out[i+1] = out[i] + f(p)
	}
	return out
}
