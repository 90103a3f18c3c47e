package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/meshlab/meshlab/rundir"
)

// RepeatSummary is the spread of a scenario's repeats: per phase ("overall" first), the median
// and coefficient of variation of p50, p99, success and availability budget spent over runs.
type RepeatSummary struct {
	Scenario string        `json:"scenario"`
	Runs     []string      `json:"runs"` // run directories, relative to the summary's
	Phases   []PhaseSpread `json:"phases"`
}

// PhaseSpread is one phase's figures over the runs that have it.
type PhaseSpread struct {
	Name        string `json:"name"`
	Runs        int    `json:"runs"`
	P50         Spread `json:"p50Ms"`
	P99         Spread `json:"p99Ms"`
	Success     Spread `json:"successPercent"`
	BudgetSpent Spread `json:"budgetSpentPercent"`
}

// Spread is one figure over runs: the values, their median and coefficient of variation
// (standard deviation ÷ mean, in percent; null when the mean is 0 or there are no values).
type Spread struct {
	Values    []float64 `json:"values"`
	Median    float64   `json:"median"`
	CVPercent *float64  `json:"cvPercent"`
}

// Summarize builds the spread of rs, runs named run-1..N.
func Summarize(scenario string, rs []*Report) RepeatSummary {
	sum := RepeatSummary{Scenario: scenario}
	type acc struct{ p50, p99, succ, budget []float64 }
	accs := map[string]*acc{}
	var order []string
	add := func(name string, st Stats, slo SLOReport) {
		a, ok := accs[name]
		if !ok {
			a = &acc{}
			accs[name] = a
			order = append(order, name)
		}
		a.p50 = append(a.p50, msOf(st.Latency.P50))
		a.p99 = append(a.p99, msOf(st.Latency.P99))
		a.succ = append(a.succ, st.SuccessPercent)
		if av := slo.Availability; av != nil && av.Budget.SpentPercent != nil {
			a.budget = append(a.budget, *av.Budget.SpentPercent)
		}
	}
	for i, r := range rs {
		sum.Runs = append(sum.Runs, rundir.RepeatName(i))
		add("overall", r.Overall, r.SLO)
		for _, p := range r.Phases {
			add(p.Name, p.Stats, p.SLO)
		}
	}
	for _, name := range order {
		a := accs[name]
		sum.Phases = append(sum.Phases, PhaseSpread{Name: name, Runs: len(a.p50),
			P50: SpreadOf(a.p50), P99: SpreadOf(a.p99), Success: SpreadOf(a.succ), BudgetSpent: SpreadOf(a.budget)})
	}
	return sum
}

// SpreadOf is the spread of xs.
func SpreadOf(xs []float64) Spread {
	s := Spread{Values: xs}
	if len(xs) == 0 {
		s.Values = []float64{}
		return s
	}
	sorted := slices.Sorted(slices.Values(xs))
	n := len(sorted)
	s.Median = (sorted[(n-1)/2] + sorted[n/2]) / 2
	mean := 0.0
	for _, x := range xs {
		mean += x / float64(n)
	}
	if mean != 0 {
		v := 0.0
		for _, x := range xs {
			v += (x - mean) * (x - mean)
		}
		if n > 1 {
			v /= float64(n - 1)
		}
		cv := 100 * math.Sqrt(v) / math.Abs(mean)
		s.CVPercent = &cv
	}
	return s
}

// WriteFiles writes the summary to dir/repeat.json and dir/repeat.md.
func (r RepeatSummary) WriteFiles(dir string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, rundir.RepeatJSON), append(b, '\n'), 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, rundir.RepeatMarkdown))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := r.WriteMarkdown(f); err != nil {
		return err
	}
	return f.Close()
}

// WriteMarkdown writes the spread as a table: median (CV) per figure and phase.
func (r RepeatSummary) WriteMarkdown(w io.Writer) error {
	fmt.Fprintf(w, "## %s: %d runs — median (coefficient of variation)\n\n", r.Scenario, len(r.Runs))
	fmt.Fprintln(w, "| phase | runs | p50 | p99 | success | budget spent |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, p := range r.Phases {
		_, err := fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s |\n", p.Name, p.Runs,
			p.P50.cell("ms"), p.P99.cell("ms"), p.Success.cell("%"), p.BudgetSpent.cell("%"))
		if err != nil {
			return err
		}
	}
	return nil
}

func (s Spread) cell(unit string) string {
	if len(s.Values) == 0 {
		return "—"
	}
	cv := "—"
	if s.CVPercent != nil {
		cv = strconv.FormatFloat(*s.CVPercent, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(s.Median, 'f', 2, 64) + unit + " (" + cv + ")"
}
