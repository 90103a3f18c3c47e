package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshlab/meshlab/harness"
	"github.com/meshlab/meshlab/rundir"
)

func newUpCmd(s Streams, g *globalFlags) *cobra.Command {
	f := &runFlags{}
	var name string
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Bring a scenario's mesh up on its backend and hold it, printing the gateway URL, until Ctrl-C",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sc, err := f.scenario(name, cmd, g.backends(s).Names())
			if err != nil {
				return err
			}
			dir := f.out
			if dir == "" {
				dir = rundir.New("", "up")
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			mesh, err := harness.Up(cmd.Context(), sc, harness.UpOptions{Backends: g.backends(s), Dir: dir, Logger: g.logger(s)})
			if err != nil {
				return err
			}
			defer func() {
				_ = mesh.Close()
				fmt.Fprintln(s.Err, "mesh down")
			}()
			fmt.Fprintf(s.Out, "mesh up on %s in %s (topology and policy of scenario %s); logs in %s\ngateway: %s\n"+
				"admin token (X-Meshlab-Token): %s\nCtrl-C to stop\n",
				mesh.Backend, mesh.Ready().Round(time.Millisecond), sc.Name, dir, mesh.GatewayURL(), mesh.Token)
			<-cmd.Context().Done()
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.file, "file", "f", defaultCatalog, "scenario catalogue")
	fl.StringVar(&name, "scenario", "baseline", "scenario whose topology and policy to bring up")
	fl.StringVar(&f.backend, "backend", "", "backend to bring it up on; overrides the scenario's")
	fl.StringVarP(&f.out, "out", "o", "", "directory for logs (default runs/up-TIME)")
	return cmd
}
