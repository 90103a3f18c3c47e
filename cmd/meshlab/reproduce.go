package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshlab/meshlab/reports"
	"github.com/meshlab/meshlab/rundir"
)

func newReproduceCmd(s Streams, g *globalFlags) *cobra.Command {
	cf := &compareFlags{}
	rf := &runFlags{}
	cmd := &cobra.Command{
		Use:   "reproduce REPORT|DIR",
		Short: "Rerun a recorded run (same scenario, seed, topology, policy, faults) and compare with it",
		Long: "reproduce reruns the scenario a report records — defaults filled, with its seed, so the same\n" +
			"fault instances are selected — checks the selected instances match, and compares the new run\n" +
			"with the original. Exit 1 on a regression or a different selection.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := cf.options()
			if err != nil {
				return err
			}
			return reproduce(cmd, s, g, rf, args[0], opts, cf.format)
		},
	}
	cf.register(cmd)
	cmd.Flags().StringVarP(&rf.out, "out", "o", "", "run directory of the rerun (default runs/NAME-reproduce-TIME)")
	cmd.Flags().BoolVarP(&rf.quiet, "quiet", "q", false, "no live progress line")
	return cmd
}

func reproduce(cmd *cobra.Command, s Streams, g *globalFlags, rf *runFlags, path string, opts reports.CompareOptions, format string) error {
	dir := path
	if st, err := os.Stat(path); err != nil {
		return err
	} else if !st.IsDir() {
		dir = filepath.Dir(path)
	}
	orig, err := reports.ReadRun(dir)
	if err != nil {
		return err
	}
	sc := orig.Scenario.Clone()
	out := rf.out
	if out == "" {
		out = rundir.New("", sc.Name+"-reproduce")
	}
	res, err := runOnce(cmd, s, g, rf, sc, out, 0)
	if err != nil {
		return err
	}
	same, diff := sameSelection(selectedOf(dir, orig), selectedOf(res.Dir, res.Report))
	fmt.Fprintln(s.Out, diff)
	if err := compareAndPrint(s, []*reports.Report{orig}, []*reports.Report{res.Report}, opts, format); err != nil {
		return err
	}
	if !same {
		return fmt.Errorf("%w: the rerun selected other fault instances", errFailed)
	}
	return nil
}

// selectedOf maps each fault to the instances it selected: from run.json when the directory
// has it, else from the report's failover section.
func selectedOf(dir string, r *reports.Report) map[string][]string {
	out := map[string][]string{}
	if m, err := reports.ReadMeta(dir); err == nil {
		for _, f := range m.Faults {
			out[f.Name] = f.Selected
		}
		return out
	}
	for _, f := range r.Failover.Faults {
		out[f.Name] = f.Selected
	}
	return out
}

// sameSelection compares two selections and describes the result.
func sameSelection(a, b map[string][]string) (bool, string) {
	if len(a) == 0 && len(b) == 0 {
		return true, "fault selection: no faults"
	}
	var lines []string
	same := len(a) == len(b)
	for name, sel := range a {
		other := b[name]
		ok := slices.Equal(slices.Sorted(slices.Values(sel)), slices.Sorted(slices.Values(other)))
		same = same && ok
		mark := "same"
		if !ok {
			mark = "DIFFERENT: rerun " + strings.Join(other, ",")
		}
		lines = append(lines, fmt.Sprintf("  %s: %s (%s)", name, strings.Join(sel, ","), mark))
	}
	slices.Sort(lines)
	head := "fault selection: same instances as the original"
	if !same {
		head = "fault selection: differs from the original"
	}
	return same, head + "\n" + strings.Join(lines, "\n")
}
