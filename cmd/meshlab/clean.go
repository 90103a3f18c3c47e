package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshlab/meshlab/clusters/kind"
	"github.com/meshlab/meshlab/clusters/kube"
)

func newCleanCmd(s Streams, g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "clean",
		Short: "Remove what runs that were killed left: meshlab's namespaces on the cluster, and the kind clusters runs created",
		Long: "clean deletes every namespace labelled app.kubernetes.io/managed-by=meshlab on the cluster the\n" +
			"kubeconfig reaches (--kubeconfig, --context), and every kind cluster named " + kind.RunClusterPrefix + "*,\n" +
			"and says what it removed. The cluster make kind-up made is left as it is.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Minute)
			defer cancel()
			var errs []error
			clusters, err := kind.CleanRuns()
			for _, c := range clusters {
				fmt.Fprintf(s.Out, "removed kind cluster %s\n", c)
			}
			errs = append(errs, err)
			ns, err := kube.Clean(ctx, g.backend.kubeconfig, g.backend.context)
			for _, n := range ns {
				fmt.Fprintf(s.Out, "removed namespace %s\n", n)
			}
			switch {
			case err != nil && len(clusters) == 0:
				fmt.Fprintf(s.Out, "no namespaces cleaned: %v\n", err)
			case err != nil:
				errs = append(errs, err)
			}
			if len(clusters) == 0 && len(ns) == 0 && errors.Join(errs...) == nil {
				fmt.Fprintln(s.Out, "nothing to clean")
			}
			return errors.Join(errs...)
		},
	}
}
