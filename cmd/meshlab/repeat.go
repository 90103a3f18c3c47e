package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/meshlab/meshlab/reports"
	"github.com/meshlab/meshlab/rundir"
	"github.com/meshlab/meshlab/scenarios"
)

// runRepeats runs sc f.repeat times into DIR/run-1..N, writes DIR/repeat.json and repeat.md,
// and fails when a gate of any run failed.
func runRepeats(cmd *cobra.Command, s Streams, g *globalFlags, f *runFlags, sc scenarios.Scenario) error {
	dir := repeatDir(f, sc)
	var rs []*reports.Report
	var failed []error
	for i := range f.repeat {
		fmt.Fprintf(s.Out, "== run %d of %d\n", i+1, f.repeat)
		out, err := runOnce(cmd, s, g, f, sc, rundir.Repeat(dir, i), i)
		if err != nil {
			return err
		}
		if err := gateVerdict(s, out.Report); err != nil {
			failed = append(failed, fmt.Errorf("%s: %w", rundir.RepeatName(i), err))
		}
		rs = append(rs, out.Report)
	}
	sum := reports.Summarize(sc.Name, rs)
	if err := sum.WriteFiles(dir); err != nil {
		return err
	}
	if err := sum.WriteMarkdown(s.Out); err != nil {
		return err
	}
	fmt.Fprintf(s.Out, "repeat summary: %s/repeat.md (and repeat.json)\n", dir)
	return errors.Join(failed...)
}
