package reports

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteJSON writes c as indented JSON.
func (c *Comparison) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(c)
}

// Regressed reports whether any figure regressed (whatever the runs' trust; Verdict weighs it).
func (c *Comparison) Regressed() bool { return c.Regressions > 0 }

// WriteMarkdown writes c as a table of deltas, the verdict first.
func (c *Comparison) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	verdict := "**No regression**"
	switch c.Verdict {
	case VerdictRegression:
		verdict = fmt.Sprintf("**%d regression(s)**", c.Regressions)
	case VerdictInconclusive:
		verdict = fmt.Sprintf("**Inconclusive**: %d regression(s) on runs that cannot be trusted", c.Regressions)
	}
	fmt.Fprintf(bw, "# compare %s (%d run(s)) → %s (%d run(s))\n\n", c.BaseScenario, c.BaseRuns, c.NewScenario, c.NewRuns)
	fmt.Fprintf(bw, "%s · test: %s · minimum effect %s%% and %s for latency, %s points for success · confidence %s%%\n\n",
		verdict, c.Method, trimFloat(c.Options.MinEffectPercent, 2), c.Options.MinEffectLatency,
		trimFloat(c.Options.MinEffectSuccess, 2), trimFloat(c.Options.Confidence*100, 2))
	fmt.Fprintln(bw, "| scope | figure | base | new | Δ | Δ% | significance | verdict |")
	fmt.Fprintln(bw, "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |")
	for _, r := range c.Rows {
		fmt.Fprintf(bw, "| `%s` | %s | %s | %s | %s | %s | %s | %s |\n", r.Scope, r.Metric, withUnit(r.Base, r.Unit),
			withUnit(r.New, r.Unit), signed(r.Delta, r.Unit), pctDelta(r.DeltaPercent), significance(r, c.Options.Block), rowVerdict(r))
	}
	if c.Verdict == VerdictInconclusive {
		fmt.Fprintf(bw, "\ninconclusive: %d regressions, but these runs cannot be trusted, so the difference may be the host, not the build:\n  %s\n",
			c.Regressions, strings.Join(c.Untrusted, "\n  "))
	}
	return bw.Flush()
}

func withUnit(x float64, unit string) string { return trimFloat(x, 3) + unit }

func signed(x float64, unit string) string {
	s := withUnit(x, unit)
	if x > 0 {
		s = "+" + s
	}
	return s
}

func pctDelta(p *float64) string {
	if p == nil {
		return "–"
	}
	return signed(*p, "%")
}

// significance writes the test's evidence: p-value or interval, and the block a short series
// was resampled in when it is not the comparison's.
func significance(r CompareRow, block Duration) string {
	switch {
	case r.PValue != nil && r.CILow != nil:
		return fmt.Sprintf("p=%s, shift CI [%s, %s]", strconv.FormatFloat(*r.PValue, 'g', 3, 64), trimFloat(*r.CILow, 3), trimFloat(*r.CIHigh, 3))
	case r.PValue != nil:
		return "p=" + strconv.FormatFloat(*r.PValue, 'g', 3, 64)
	case r.CILow != nil && r.Block != nil && *r.Block != block:
		return fmt.Sprintf("CI [%s, %s], %s blocks", trimFloat(*r.CILow, 3), trimFloat(*r.CIHigh, 3), *r.Block)
	case r.CILow != nil:
		return fmt.Sprintf("CI [%s, %s]", trimFloat(*r.CILow, 3), trimFloat(*r.CIHigh, 3))
	case r.Windows > 0:
		return fmt.Sprintf("not tested: %d windows, %d needed", r.Windows, minBootstrapWindows)
	}
	return "not tested"
}

func rowVerdict(r CompareRow) string {
	switch {
	case r.Regression:
		return "**regression**"
	case r.Worse && r.Method == methodNone:
		return "worse, not tested"
	case r.Worse && r.Significant:
		return "worse, but may be less than the minimum effect"
	case r.Worse:
		return "worse, not significant"
	case r.Significant:
		return "significant change, not a regression"
	}
	return "–"
}
