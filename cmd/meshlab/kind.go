package main

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshlab/meshlab/clusters/kind"
	"github.com/meshlab/meshlab/clusters/kind/nodeimage"
)

func newKindCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kind",
		Short: "Build the offline kind node image; create and delete the kind cluster",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newKindNodeImageCmd(s), newKindUpCmd(s), newKindDownCmd(s))
	return cmd
}

// nodeImageFlags are `meshlab kind node-image`'s flags (shared by `kind up`).
type nodeImageFlags struct {
	cacheDir, mirror string
	force            bool
}

func (f *nodeImageFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.cacheDir, "cache-dir", "", "build cache (default: the user's cache directory/meshlab/kind)")
	cmd.Flags().StringVar(&f.mirror, "mirror", "", "Debian mirror for debootstrap (default http://deb.debian.org/debian)")
}

func (f *nodeImageFlags) options(s Streams) nodeimage.Options {
	return nodeimage.Options{CacheDir: f.cacheDir, Mirror: f.mirror, Force: f.force, Logger: slog.New(slog.NewTextHandler(s.Err, nil))}
}

func newKindNodeImageCmd(s Streams) *cobra.Command {
	f := &nodeImageFlags{}
	cmd := &cobra.Command{
		Use:   "node-image",
		Short: "Build the kind node image from Go modules and Debian packages (no registry); skipped when its tag exists",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, err := nodeimage.Build(cmd.Context(), f.options(s))
			if err != nil {
				return err
			}
			verb := "built"
			if res.Skipped {
				verb = "exists"
			}
			fmt.Fprintf(s.Out, "%s %s (%s)\n", res.Image, verb, res.Took.Round(100*time.Millisecond))
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&f.force, "force", false, "build even when the tag exists")
	return cmd
}

// kindUpFlags are `meshlab kind up`'s flags.
type kindUpFlags struct {
	image      nodeImageFlags
	name       string
	config     string
	kubeconfig string
	wait       time.Duration
}

func newKindUpCmd(s Streams) *cobra.Command {
	f := &kindUpFlags{}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Create the kind cluster on the node image (built first when missing)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := os.Stat(f.config); err != nil {
				return fmt.Errorf("cluster config: %w", err) // before a build that may take minutes
			}
			img, err := nodeimage.Build(cmd.Context(), f.image.options(s))
			if err != nil {
				return err
			}
			start := time.Now()
			c, err := kind.Up(cmd.Context(), kind.Options{Name: f.name, Config: f.config, Image: img.Image, Kubeconfig: f.kubeconfig, Wait: f.wait})
			if err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "kind cluster %q is up on %s (%s); kubectl --context kind-%s\n", c.Name, img.Image, time.Since(start).Round(100*time.Millisecond), c.Name)
			return nil
		},
	}
	f.image.register(cmd)
	cmd.Flags().StringVar(&f.name, "name", kind.DefaultName, "cluster name")
	cmd.Flags().StringVar(&f.config, "config", kindConfig, "kind Cluster config")
	cmd.Flags().StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig to write (default: kind's rules, $KUBECONFIG or ~/.kube/config)")
	cmd.Flags().DurationVar(&f.wait, "wait", 3*time.Minute, "how long to wait for the control plane to be Ready")
	return cmd
}

func newKindDownCmd(s Streams) *cobra.Command {
	var name, kubeconfig string
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Delete the kind cluster (its containers and its kubeconfig entry)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			start := time.Now()
			if err := (&kind.Cluster{Name: name, Kubeconfig: kubeconfig}).Down(); err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "kind cluster %q deleted (%s)\n", name, time.Since(start).Round(100*time.Millisecond))
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", kind.DefaultName, "cluster name")
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig to remove the entry from (default: kind's rules)")
	return cmd
}
