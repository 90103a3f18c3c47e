package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshlab/meshlab/scenarios"
)

// defaultCatalog is the scenario catalogue read when --file is not given.
const defaultCatalog = "scenarios.yaml"

func newScenarioCmd(s Streams, g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "scenario", Short: "List, validate and run scenarios"}
	cmd.AddCommand(newScenarioListCmd(s, g), newScenarioValidateCmd(s, g), newScenarioRunCmd(s, g))
	return cmd
}

func newScenarioListCmd(s Streams, g *globalFlags) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the scenarios of a catalogue",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := scenarios.LoadFile(file, g.backends(s).Names())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tBACKEND\tLOAD\tDESCRIPTION")
			for _, sc := range cat.Scenarios {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", sc.Name, sc.Backend, describeLoad(sc.Load), firstLine(sc.Description))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", defaultCatalog, "scenario catalogue")
	return cmd
}

func newScenarioValidateCmd(s Streams, g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "validate [FILE]",
		Short: "Validate a scenario catalogue: every problem, with file, line and field",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := defaultCatalog
			if len(args) == 1 {
				file = args[0]
			}
			cat, err := loadCatalog(file, g.backends(s).Names())
			if err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "%s: %d scenarios, valid\n", file, len(cat.Scenarios))
			return nil
		},
	}
}

// runFlags are scenario run's flags.
type runFlags struct {
	file     string
	backend  string
	rate     float64
	duration time.Duration
	seed     uint64
	out      string
	quiet    bool
	repeat   int
	policy   string
}

func newScenarioRunCmd(s Streams, g *globalFlags) *cobra.Command {
	f := &runFlags{}
	cmd := &cobra.Command{
		Use:   "run NAME",
		Short: "Run a scenario and write its report",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := f.scenario(args[0], cmd, g.backends(s).Names())
			if err != nil {
				return err
			}
			return runScenario(cmd, s, g, f, sc)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.file, "file", "f", defaultCatalog, "scenario catalogue")
	fl.StringVar(&f.backend, "backend", "", "backend to run on; overrides the scenario's")
	fl.Float64Var(&f.rate, "rate", 0, "constant request rate (req/s); overrides the scenario's load rate")
	fl.DurationVar(&f.duration, "duration", 0, "attack duration; overrides the scenario's")
	fl.Uint64Var(&f.seed, "seed", 0, "seed for the load and the mesh; overrides the scenario's")
	fl.StringVarP(&f.out, "out", "o", "", "run directory (default runs/NAME-TIME)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no live progress line")
	fl.IntVar(&f.repeat, "repeat", 1, "run N times into DIR/run-1..N and write the spread to DIR/repeat.json and repeat.md")
	fl.StringVar(&f.policy, "policy", "", `"none": run without the scenario's policy, policy changes and sidecar retries`)
	return cmd
}

// scenario loads NAME and applies the flag overrides, validating the result again against
// backends, the names of this build's backends.
func (f *runFlags) scenario(name string, cmd *cobra.Command, backends []string) (scenarios.Scenario, error) {
	cat, err := loadCatalog(f.file, backends)
	if err != nil {
		return scenarios.Scenario{}, err
	}
	found, err := cat.Find(name)
	if err != nil {
		return scenarios.Scenario{}, err
	}
	sc := found.Clone()
	if cmd.Flags().Changed("backend") {
		sc.Backend = f.backend
	}
	if cmd.Flags().Changed("rate") {
		sc.Load.Profile, sc.Load.Rate, sc.Load.To, sc.Load.Steps = "constant", f.rate, 0, nil
	}
	if cmd.Flags().Changed("duration") {
		sc.Load.Duration = scenarios.Duration{Duration: f.duration}
	}
	if cmd.Flags().Changed("seed") {
		sc.Seed = f.seed
	}
	if err := applyPolicyFlag(&sc, f.policy); err != nil {
		return sc, err
	}
	sc.Default()
	if problems := sc.Validate(backends); len(problems) > 0 {
		return sc, &scenarios.ValidationError{Problems: problems}
	}
	return sc, nil
}

func describeLoad(l scenarios.Load) string {
	switch l.Profile {
	case "steps":
		return fmt.Sprintf("steps ×%d, %s", len(l.Steps), l.Duration)
	case "ramp":
		return fmt.Sprintf("ramp %g→%g rps, %s", l.Rate, l.To, l.Duration)
	}
	return fmt.Sprintf("%g rps, %s", l.Rate, l.Duration)
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
