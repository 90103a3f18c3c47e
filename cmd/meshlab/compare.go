package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshlab/meshlab/reports"
	"github.com/meshlab/meshlab/rundir"
)

// compareFlags are compare's (and reproduce's) flags.
type compareFlags struct {
	minLatency time.Duration
	minSuccess float64
	minPercent float64
	format     string
	mapping    []string
	repeat     bool
}

func (f *compareFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.DurationVar(&f.minLatency, "min-effect-latency", reports.DefaultMinEffectLatency, "least latency worsening that counts as a regression")
	fl.Float64Var(&f.minSuccess, "min-effect-success", reports.DefaultMinEffectSuccess, "least drop in success (percentage points) that counts")
	fl.Float64Var(&f.minPercent, "min-effect-percent", 0, fmt.Sprintf("least relative worsening (percent) that counts; 0: %g with repeats on both sides, %g for single runs",
		reports.DefaultMinEffectPercent, reports.DefaultMinEffectPercentSingle))
	fl.StringVar(&f.format, "format", "md", "output: md or json")
	fl.StringArrayVar(&f.mapping, "map", nil, "OLD=NEW: compare scenario OLD (base) with NEW (repeatable)")
}

func (f *compareFlags) options() (reports.CompareOptions, error) {
	o := reports.CompareOptions{MinEffectLatency: f.minLatency, MinEffectSuccess: f.minSuccess, MinEffectPercent: f.minPercent}
	if f.format != "md" && f.format != "json" {
		return o, fmt.Errorf("--format: want md or json, got %q", f.format)
	}
	for _, m := range f.mapping {
		old, nw, ok := strings.Cut(m, "=")
		if !ok || old == "" || nw == "" {
			return o, fmt.Errorf("--map: want OLD=NEW, got %q", m)
		}
		if o.Mapping == nil {
			o.Mapping = map[string]string{}
		}
		o.Mapping[old] = nw
	}
	return o, nil
}

func newCompareCmd(s Streams) *cobra.Command {
	f := &compareFlags{}
	cmd := &cobra.Command{
		Use:   "compare BASE NEW",
		Short: "Compare two runs (report.json, run directories, or repeat directories); exit 1 on regression",
		Long: "compare sets BASE and NEW side by side per phase, route and fault, with deltas, a significance\n" +
			"test and a minimum effect size. Each side is a report.json, a run directory, or a directory of\n" +
			"repeats (scenario run --repeat N: DIR/run-1..N). With repeats on both sides the per-run summaries\n" +
			"are tested (Mann–Whitney); single runs are tested on per-second windows (block bootstrap).",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := f.options()
			if err != nil {
				return err
			}
			base, err := loadReports(args[0], f.repeat)
			if err != nil {
				return err
			}
			nw, err := loadReports(args[1], f.repeat)
			if err != nil {
				return err
			}
			return compareAndPrint(s, base, nw, opts, f.format)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&f.repeat, "repeat", false, "require each side to be a directory of repeats")
	return cmd
}

// compareAndPrint compares, prints in format and returns errFailed on a regression.
func compareAndPrint(s Streams, base, nw []*reports.Report, opts reports.CompareOptions, format string) error {
	c, err := reports.Compare(base, nw, opts)
	if err != nil {
		return err
	}
	if format == "json" {
		err = c.WriteJSON(s.Out)
	} else {
		err = c.WriteMarkdown(s.Out)
	}
	if err != nil {
		return err
	}
	if !c.Regressed() {
		return nil
	}
	if untrusted := untrustedRuns(base, "base").append(untrustedRuns(nw, "new")); len(untrusted) > 0 {
		fmt.Fprintf(s.Out, "\ninconclusive: %d regressions, but these runs cannot be trusted, so the difference may be the host, not the build:\n  %s\n",
			c.Regressions, strings.Join(untrusted, "\n  "))
		return nil
	}
	return fmt.Errorf("%w: %d regressions", errFailed, c.Regressions)
}

// runList is a list of run descriptions.
type runList []string

func (l runList) append(m runList) runList { return append(l, m...) }

// untrustedRuns describes the runs of one side whose numbers the report does not trust.
func untrustedRuns(rs []*reports.Report, side string) runList {
	var out runList
	for i, r := range rs {
		if !r.Trust.Trusted {
			out = append(out, fmt.Sprintf("%s %d (%s): %s", side, i+1, r.Run.ID, strings.Join(r.Trust.Reasons, "; ")))
		}
	}
	return out
}

// loadReports reads one side of a comparison: a report.json file, a run directory (its
// report.json, rebuilt from its samples when missing), or a repeat directory (each of the runs
// its repeat.json lists, else every run-N subdirectory).
func loadReports(path string, wantRepeat bool) ([]*reports.Report, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if wantRepeat {
			return nil, fmt.Errorf("%s: --repeat wants a directory of repeats", path)
		}
		r, err := readReportFile(path)
		return []*reports.Report{r}, err
	}
	runs, err := rundir.Repeats(path)
	if err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		if wantRepeat {
			return nil, fmt.Errorf("%s: not a directory of repeats (no repeat.json, no run-N)", path)
		}
		r, err := runReport(path)
		return []*reports.Report{r}, err
	}
	var out []*reports.Report
	for _, d := range runs {
		r, err := runReport(d)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// runReport reads dir/report.json, or rebuilds it from the samples when it is missing.
func runReport(dir string) (*reports.Report, error) {
	r, err := readReportFile(filepath.Join(dir, rundir.ReportJSON))
	if errors.Is(err, os.ErrNotExist) {
		return reports.Rebuild(dir)
	}
	return r, err
}

func readReportFile(path string) (*reports.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := reports.ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}
