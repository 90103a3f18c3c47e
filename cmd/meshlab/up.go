package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/clusters/local"
	"github.com/meshlab/meshlab/harness"
	"github.com/meshlab/meshlab/rundir"
	"github.com/meshlab/meshlab/scenarios"
)

func newUpCmd(s Streams, g *globalFlags) *cobra.Command {
	var file, name, dir string
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Bring a mesh up and hold it, printing the gateway URL, until Ctrl-C",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := scenarios.LoadFile(file)
			if err != nil {
				return err
			}
			sc, err := cat.Find(name)
			if err != nil {
				return err
			}
			if dir == "" {
				dir = rundir.New("", "up")
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			b := local.New(local.Options{Logger: g.logger(s)})
			token := harness.NewToken()
			mesh, err := b.Up(cmd.Context(), clusters.Spec{RunID: filepath.Base(dir), Dir: dir, Seed: sc.Seed,
				Namespace: sc.Namespace, Topology: sc.Topology, Token: token})
			if err != nil {
				return err
			}
			defer func() {
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				defer cancel()
				_ = mesh.Down(ctx)
				fmt.Fprintln(s.Err, "mesh down")
			}()
			if sc.Policy != nil {
				ps, ok := mesh.(clusters.PolicySetter)
				if !ok {
					return fmt.Errorf("backend %s cannot apply the scenario's policy", b.Name())
				}
				if _, err := ps.SetPolicy(cmd.Context(), *sc.Policy); err != nil {
					return err
				}
			}
			fmt.Fprintf(s.Out, "mesh up in %s (topology and policy of scenario %s); logs in %s\ngateway: %s\n"+
				"admin token (X-Meshlab-Token): %s\nCtrl-C to stop\n",
				mesh.Ready().Round(time.Millisecond), sc.Name, dir, mesh.GatewayURL(), token)
			<-cmd.Context().Done()
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", defaultCatalog, "scenario catalogue")
	cmd.Flags().StringVar(&name, "scenario", "baseline", "scenario whose topology to bring up")
	cmd.Flags().StringVarP(&dir, "out", "o", "", "directory for logs (default runs/up-TIME)")
	return cmd
}
