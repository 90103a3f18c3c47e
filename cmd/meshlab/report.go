package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/meshlab/meshlab/reports"
)

func newReportCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "report DIR",
		Short: "Rebuild a run's report from its stored samples, without a rerun",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := reports.Rebuild(args[0])
			if err != nil {
				return err
			}
			if err := reports.WriteFiles(args[0], r); err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "%s\nreport: %s/report.md (and report.json)\n", r.Summary(), args[0])
			return nil
		},
	}
}
