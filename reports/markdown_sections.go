package reports

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// writeGateVerdict writes the gates' verdict, first thing after the title, when there are gates.
func (r *Report) writeGateVerdict(w io.Writer) {
	if len(r.Gates) == 0 {
		return
	}
	n := map[string]int{}
	for _, g := range r.Gates {
		n[g.Status]++
	}
	fmt.Fprintf(w, "**Gates %s** · %d passed · %d failed · %d inconclusive\n\n",
		strings.ToUpper(r.Verdict), n[GatePass], n[GateFail], n[GateInconclusive])
}

// writeTrust says whether the figures can be trusted, and why not.
func (r *Report) writeTrust(w io.Writer) {
	if r.Trust.Trusted {
		fmt.Fprintf(w, "Trusted: %s\n\n", r.trustDetail())
		return
	}
	fmt.Fprintf(w, "> **Untrusted** — gates are inconclusive: %s (%s)\n\n", strings.Join(r.Trust.Reasons, "; "), r.trustDetail())
}

// trustDetail lists the figures trust is judged on.
func (r *Report) trustDetail() string {
	parts := []string{}
	if p := r.Trust.AchievedPercent; p != nil {
		parts = append(parts, "achieved "+floorPercent(*p)+" of target")
	}
	parts = append(parts, "send lag p99 "+r.Trust.SendLagP99.String())
	if c := r.Trust.HostCPUP90; c != nil {
		parts = append(parts, "host CPU p90 "+trimFloat(*c, 1)+"%")
	} else {
		parts = append(parts, "host CPU not sampled")
	}
	return strings.Join(parts, " · ")
}

func (r *Report) writeGateTable(w io.Writer) {
	if len(r.Gates) == 0 {
		return
	}
	fmt.Fprintln(w, "| gate | observed | result |")
	fmt.Fprintln(w, "| --- | ---: | --- |")
	for _, g := range r.Gates {
		res := g.Status
		if g.Status == GateFail {
			res = "**" + res + "**"
		}
		if g.Reason != "" {
			res += ": " + cell(g.Reason)
		}
		obs := g.Observed
		if obs == "" {
			obs = "–"
		}
		fmt.Fprintf(w, "| `%s` | %s | %s |\n", strings.ReplaceAll(g.Expr, "`", "'"), obs, res)
	}
	fmt.Fprintln(w)
}

func (r *Report) writeAlertTable(w io.Writer) {
	if len(r.Alerts) == 0 {
		return
	}
	fmt.Fprintln(w, "| burn-rate alert | threshold | long window | short window | would have fired |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | --- |")
	for _, a := range r.Alerts {
		fired := "no"
		if a.Fired {
			fired = fmt.Sprintf("**yes**, at +%s, for %s", *a.FirstAt, a.FiringFor)
		}
		fmt.Fprintf(w, "| %s %s | %s× | %s | %s | %s |\n", a.SLO, a.Severity, trimFloat(a.BurnRate, 1), a.Long, a.Short, fired)
	}
	fmt.Fprintln(w)
}

func (r *Report) writeFailoverTable(w io.Writer) {
	if len(r.Failover.Faults) == 0 {
		return
	}
	fmt.Fprintf(w, "**Failover** (recovered: every rolling %s window within the SLO to the next fault or the end)\n\n", r.Failover.Window)
	fmt.Fprintln(w, "| fault | selected | injected | effective after | removed | detect | recover | failed | slowed | retries/req | ejections | outcome |")
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	for _, f := range r.Failover.Faults {
		fmt.Fprintf(w, "| `%s` %s/%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f.Name, f.Kind, f.Action,
			strings.Join(f.Selected, ", "), r.offset(f.Injected), effectiveAfter(f), r.offset(f.Removed), optDur(f.TimeToDetect), optDur(f.TimeToRecover),
			count(f.RequestsFailed), count(f.RequestsSlowed), optNum(f.RetryAmplification), optNum(f.Ejections), outcome(f))
	}
	fmt.Fprintln(w)
}

// maxEjectionLines bounds the ejections report.md lists; report.json has them all.
const maxEjectionLines = 20

// writeEjections lists the outlier ejections: when the mesh took an endpoint out, and for how long.
func (r *Report) writeEjections(w io.Writer) {
	if len(r.Ejections) == 0 {
		return
	}
	fmt.Fprintf(w, "**Outlier ejections** (%d)\n\n", len(r.Ejections))
	fmt.Fprintln(w, "| at | by | service | endpoint | for | until | reason |")
	fmt.Fprintln(w, "| ---: | --- | --- | --- | ---: | ---: | --- |")
	for i, e := range r.Ejections {
		if i == maxEjectionLines {
			fmt.Fprintf(w, "| … %d more in report.json | | | | | | |\n", len(r.Ejections)-i)
			break
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", r.offset(e.At), e.By, e.Service, e.Endpoint, e.Duration, r.offset(e.Until), e.Reason)
	}
	fmt.Fprintln(w)
}

// outcome is a fault's outcome in words.
func outcome(f FaultFailover) string {
	switch {
	case f.Injected.IsZero():
		return "not injected"
	case f.Metastable:
		return "**metastable**: not recovered after removal"
	case !f.Recovered:
		return "**not recovered**"
	case f.TimeToDetect == nil && f.Effective == nil:
		return "no request affected"
	case f.TimeToDetect == nil:
		return "affected within the SLO"
	}
	return "recovered"
}

// effectiveAfter is how long after injection the first affected request was intended.
func effectiveAfter(f FaultFailover) string {
	if f.Effective == nil || f.Injected.IsZero() {
		return "–"
	}
	d := Duration(f.Effective.Sub(f.Injected))
	return optDur(&d)
}

// writePhaseTable writes each phase beside the mesh's view of it: a mesh success below the
// client's shows what retries hid.
func (r *Report) writePhaseTable(w io.Writer) {
	if len(r.Phases) < 2 {
		return
	}
	fmt.Fprintln(w, "| phase | from | length | requests | success | mesh success | retries/req | p50 | p99 | p99.9 | burn (avail) | burn (latency) |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, p := range r.Phases {
		s, l := p.Stats, p.Stats.Latency
		meshOK, retries := "–", "–"
		if m := p.Mesh; m != nil && m.SuccessPercent != nil {
			meshOK, retries = floorPercent(*m.SuccessPercent), optNum(m.RetriesPerRequest)
		}
		fmt.Fprintf(w, "| `%s` | +%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", p.Name,
			Duration(p.Start.Sub(r.Window.Start)), p.Length, count(s.Requests), floorPercent(s.SuccessPercent),
			meshOK, retries, l.P50, l.P99, l.P999, optNum(p.Burn.Availability), optNum(p.Burn.Latency))
	}
	fmt.Fprintln(w)
}

// offset is t from the window's start, "–" for the zero time.
func (r *Report) offset(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return "+" + Duration(t.Sub(r.Window.Start)).String()
}

func optDur(d *Duration) string {
	if d == nil {
		return "–"
	}
	return d.String()
}

func optNum(x *float64) string {
	if x == nil {
		return "–"
	}
	return trimFloat(*x, 2)
}

// cell makes s safe inside a table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
