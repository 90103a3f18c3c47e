package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/meshlab/meshlab/harness"
)

func newVersionCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print meshlab's version",
		Args:  cobra.NoArgs,
		Run: func(*cobra.Command, []string) {
			fmt.Fprintf(s.Out, "meshlab %s %s %s/%s\n", harness.Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		},
	}
}
