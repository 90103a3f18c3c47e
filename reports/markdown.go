package reports

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// WriteMarkdown writes r as report.md, for a terminal or a pull-request comment: a title, the
// verdict (gates, SLOs, trust), the gate, SLO, burn-alert, failover and phase tables, the
// overall line, the per-route table and the status codes.
func (r *Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# %s · %s · seed %d\n\n", r.Run.Scenario, r.Run.Backend, r.Run.Seed)
	r.writeGateVerdict(bw)
	fmt.Fprintf(bw, "%s\n\n", r.verdictLine())
	r.writeTrust(bw)
	if r.Run.DroppedBytes > 0 {
		fmt.Fprintf(bw, "> results.bin ended in a cut-off record: %d bytes dropped.\n\n", r.Run.DroppedBytes)
	}
	r.writeGateTable(bw)
	r.writeSLOTable(bw)
	r.writeAlertTable(bw)
	r.writeFailoverTable(bw)
	r.writeEjections(bw)
	r.writePhaseTable(bw)
	fmt.Fprintf(bw, "**Overall** %s\n\n", overallLine(r.Overall))
	r.writeRouteTable(bw)
	fmt.Fprintf(bw, "**Status codes** %s\n", statusLine(r.Overall.StatusCodes))
	writeErrors(bw, r.Overall.Errors)
	return bw.Flush()
}

// Summary is one line on how the run went, for a terminal.
func (r *Report) Summary() string {
	o := r.Overall
	s := fmt.Sprintf("%s on %s: %s; %s requests, %s rps achieved of %s target, %s success, p99 %s",
		r.Run.Scenario, r.Run.Backend, r.sloPhrase(), count(o.Requests), rate(o.AchievedRate),
		rate(o.TargetRate), floorPercent(o.SuccessPercent), o.Latency.P99)
	if r.Run.Interrupted {
		s += " (interrupted)"
	}
	return s
}

// verdictLine says in one line whether the SLOs were met, what was measured, and whether the
// run was cut short.
func (r *Report) verdictLine() string {
	verdict, detail, _ := strings.Cut(r.sloPhrase(), ": ")
	s := "**" + upperFirst(verdict) + "**"
	if r.Run.Interrupted {
		s = "**Interrupted** — the run was cut short; on what was measured, " + verdict
	}
	if detail != "" {
		s += ": " + detail
	}
	warmup := "no warm-up"
	if r.Window.Warmup != 0 {
		warmup = "warm-up " + r.Window.Warmup.String() + " excluded"
	}
	return fmt.Sprintf("%s · %s requests over %s (%s) · run `%s`", s,
		count(r.Overall.Requests), r.Window.Measured, warmup, r.Run.ID)
}

// sloPhrase is "SLOs met", "SLOs not met: …" or "no SLO set".
func (r *Report) sloPhrase() string {
	switch r.SLO.Verdict {
	case VerdictMet:
		return "SLOs met"
	case VerdictNotMet:
		var missed []string
		for _, s := range r.slos() {
			if !s.Res.Met {
				missed = append(missed, fmt.Sprintf("%s %s < %s", s.Name, floorPercent(s.Res.AchievedPercent),
					plainPercent(s.Res.ObjectivePercent)))
			}
		}
		return "SLOs not met: " + strings.Join(missed, ", ")
	default:
		return "no SLO set"
	}
}

type namedSLO struct {
	Name string
	Res  *SLOResult
}

// slos are r's SLO results with their names, availability first.
func (r *Report) slos() []namedSLO {
	var out []namedSLO
	if a := r.SLO.Availability; a != nil {
		out = append(out, namedSLO{"availability", a})
	}
	if l := r.SLO.Latency; l != nil {
		out = append(out, namedSLO{"latency ≤ " + l.Threshold.String(), l})
	}
	return out
}

func (r *Report) writeSLOTable(w io.Writer) {
	slos := r.slos()
	if len(slos) == 0 {
		return
	}
	fmt.Fprintln(w, "| SLO | objective | achieved | budget spent | verdict |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | --- |")
	for _, s := range slos {
		verdict := VerdictMet
		if !s.Res.Met {
			verdict = "**" + VerdictNotMet + "**"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", s.Name, plainPercent(s.Res.ObjectivePercent),
			floorPercent(s.Res.AchievedPercent), spent(s.Res.Budget), verdict)
	}
	fmt.Fprintln(w)
}

// overallLine is the whole run's figures on one line.
func overallLine(s Stats) string {
	l := s.Latency
	return fmt.Sprintf("%s requests · target %s rps · achieved %s rps · %s success · "+
		"p50 %s · p90 %s · p99 %s · p99.9 %s · max %s · send lag p99 %s",
		count(s.Requests), rate(s.TargetRate), rate(s.AchievedRate), floorPercent(s.SuccessPercent),
		l.P50, l.P90, l.P99, l.P999, l.Max, s.SendLag.P99)
}

func (r *Report) writeRouteTable(w io.Writer) {
	fmt.Fprintln(w, "| route | requests | target rps | achieved rps | success | p50 | p90 | p99 | p99.9 | max |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, name := range r.RouteOrder {
		s := r.Routes[name]
		cells := []string{"`" + name + "`", count(s.Requests), rate(s.TargetRate), rate(s.AchievedRate)}
		if s.Requests == 0 {
			cells = append(cells, "–", "–", "–", "–", "–", "–")
		} else {
			l := s.Latency
			cells = append(cells, floorPercent(s.SuccessPercent),
				l.P50.String(), l.P90.String(), l.P99.String(), l.P999.String(), l.Max.String())
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	fmt.Fprintln(w)
}

// statusLine lists status codes by code, "no response" (code 0) last.
func statusLine(codes map[string]int) string {
	keys := make([]string, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return codeRank(a) - codeRank(b) })
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		name := k
		if k == "0" {
			name = "no response"
		}
		parts = append(parts, fmt.Sprintf("%s × %s", name, count(codes[k])))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " · ")
}

// codeRank orders status codes numerically, 0 (no response) last.
func codeRank(code string) int {
	n, _ := strconv.Atoi(code)
	if n == 0 {
		return 1 << 20
	}
	return n
}

func writeErrors(w io.Writer, errs []ErrorCount) {
	if len(errs) == 0 {
		return
	}
	fmt.Fprintln(w, "\n**Errors**")
	for _, e := range errs {
		fmt.Fprintf(w, "- %s × `%s`\n", count(e.Count), strings.ReplaceAll(e.Error, "`", "'"))
	}
}

// spent is a budget's spent share, "∞" when nothing was allowed but something was spent.
func spent(b Budget) string {
	if b.SpentPercent == nil {
		return "∞"
	}
	return trimFloat(*b.SpentPercent, 1) + "%"
}
