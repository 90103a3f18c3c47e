package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/meshlab/meshlab/clusters/image"
	"github.com/meshlab/meshlab/clusters/local"
)

func newImageCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{Use: "image", Short: "The mesh image (meshd and meshcp) the kind and kube backends run", Args: cobra.NoArgs}
	cmd.AddCommand(&cobra.Command{
		Use:   "push REF",
		Short: "Push the mesh image to a registry (REF: a repository, tagged by the image's digest unless it names a tag)",
		Long: "push packs meshd and meshcp (beside meshlab, or $MESHLAB_MESHD) into one reproducible image and\n" +
			"pushes it; `--backend kube --image` then names the reference it prints.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			meshd, err := local.FindMeshd("")
			if err != nil {
				return err
			}
			img, err := image.Mesh(image.Binaries(meshd))
			if err != nil {
				return err
			}
			ref, err := image.Push(cmd.Context(), args[0], img)
			if err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "pushed %s\nrun on it: meshlab scenario run NAME --backend kube --image %s\n", ref, ref)
			return nil
		},
	})
	return cmd
}
