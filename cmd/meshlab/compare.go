package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshlab/meshlab/reports"
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
			base, err := reports.LoadSide(args[0], f.repeat)
			if err != nil {
				return err
			}
			nw, err := reports.LoadSide(args[1], f.repeat)
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
	if c.Verdict == reports.VerdictRegression {
		return fmt.Errorf("%w: %d regressions", errFailed, c.Regressions)
	}
	return nil // pass, or inconclusive (the Markdown says why)
}
