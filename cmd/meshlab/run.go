package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/meshlab/meshlab/harness"
	"github.com/meshlab/meshlab/reports"
	"github.com/meshlab/meshlab/rundir"
	"github.com/meshlab/meshlab/scenarios"
)

// loadCatalog loads a catalogue, its scenarios checked against the backends this build has,
// and checks its gates against the report's fields: every problem names file, line and field.
func loadCatalog(file string, backends []string) (*scenarios.Catalog, error) {
	cat, err := scenarios.LoadFile(file, backends)
	if err != nil {
		return nil, err
	}
	if err := reports.CheckCatalogGates(cat); err != nil {
		return nil, err
	}
	return cat, nil
}

// applyPolicyFlag applies --policy: "" keeps the scenario's policy; "none" removes its policy,
// its policy changes and the sidecars' basic retries, to see what the governance buys.
func applyPolicyFlag(sc *scenarios.Scenario, p string) error {
	switch p {
	case "":
	case "none":
		zero := 0
		sc.Policy, sc.PolicyChanges, sc.Topology.Retries = nil, nil, &zero
	default:
		return fmt.Errorf("--policy: want \"none\", got %q", p)
	}
	return nil
}

// runScenario runs sc once, or --repeat times, and judges the gates: exit 1 when a gate of
// any run failed.
func runScenario(cmd *cobra.Command, s Streams, g *globalFlags, f *runFlags, sc scenarios.Scenario) error {
	if f.repeat > 1 {
		return runRepeats(cmd, s, g, f, sc)
	}
	out, err := runOnce(cmd, s, g, f, sc, f.out, 0)
	if err != nil {
		return err
	}
	return gateVerdict(s, out.Report)
}

// runOnce runs sc into dir (empty: runs/NAME-TIME) and prints its summary.
func runOnce(cmd *cobra.Command, s Streams, g *globalFlags, f *runFlags, sc scenarios.Scenario, dir string, index int) (harness.Outcome, error) {
	opts := harness.Options{Backends: g.backends(s), Dir: dir, Logger: g.logger(s)}
	if f.repeat > 1 {
		opts.Repeat, opts.RepeatIndex = f.repeat, index
	}
	if !f.quiet {
		opts.Progress = s.Err
	}
	out, err := harness.Run(cmd.Context(), sc, opts)
	if out.Report != nil {
		fmt.Fprintf(s.Out, "%s\nreport: %s/report.md (and report.json, report.html, junit.xml)\n", out.Report.Summary(), out.Dir)
	}
	return out, err
}

// repeatDir is the directory of a repeated run: --out, or runs/NAME-TIME.
func repeatDir(f *runFlags, sc scenarios.Scenario) string {
	if f.out != "" {
		return f.out
	}
	return rundir.New("", sc.Name)
}
