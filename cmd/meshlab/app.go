package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/meshlab/meshlab/clusters"
)

// Exit codes: 0 success, 1 a failed gate or regression, 2 an error, 130 interrupted.
const (
	exitOK          = 0
	exitFailed      = 1
	exitError       = 2
	exitInterrupted = 130
)

// errFailed marks an outcome that is a verdict (a failed gate), not an error.
var errFailed = errors.New("failed")

// Streams are the command's standard streams.
type Streams struct {
	Out, Err io.Writer
}

// Main runs the CLI with the process's arguments and signals and returns the exit code. It is
// the only place that decides how meshlab exits.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := Run(ctx, Streams{Out: os.Stdout, Err: os.Stderr}, os.Args[1:])
	switch {
	case err == nil:
		return exitOK
	case ctx.Err() != nil:
		fmt.Fprintln(os.Stderr, "meshlab: interrupted; everything the run started was torn down")
		return exitInterrupted
	case errors.Is(err, errFailed):
		fmt.Fprintf(os.Stderr, "meshlab: %v\n", err)
		return exitFailed
	default:
		fmt.Fprintf(os.Stderr, "meshlab: %v\n", err)
		return exitError
	}
}

// Run executes one command line with this build's backends.
func Run(ctx context.Context, s Streams, args []string) error {
	return run(ctx, s, args, backends)
}

// run executes one command line; registry builds the backends it may run scenarios on.
func run(ctx context.Context, s Streams, args []string, registry func(backendFlags) clusters.Registry) error {
	root := newRoot(s, registry)
	root.SetArgs(args)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	return root.ExecuteContext(ctx)
}

// globalFlags are shared by every command, with what they determine: the logger and, built
// once with it, the backends.
type globalFlags struct {
	verbose bool
	backend backendFlags

	registry func(backendFlags) clusters.Registry
	built    clusters.Registry
}

// backendFlags configure the backends, as kubectl's and kind's global flags do.
type backendFlags struct {
	log                 *slog.Logger
	kubeconfig, context string // kube, kind: the cluster's access
	image               string // kube: the meshd image (meshlab image push)
	cluster             string // kind: reuse this cluster instead of creating one
	keep                bool   // kind: keep the cluster the run created
}

// backends are the backends scenarios may run on, built on first use.
func (g *globalFlags) backends(s Streams) clusters.Registry {
	if g.built == nil {
		f := g.backend
		f.log = g.logger(s)
		g.built = g.registry(f)
	}
	return g.built
}

func newRoot(s Streams, registry func(backendFlags) clusters.Registry) *cobra.Command {
	g := &globalFlags{registry: registry}
	root := &cobra.Command{
		Use:           "meshlab",
		Short:         "Test service-mesh governance under load and faults",
		Long:          "meshlab brings up a mesh (gateway, sidecars, control plane, four services), drives load through it\nwith vegeta, and reports latency, error budgets and failover.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.BoolVarP(&g.verbose, "verbose", "v", false, "log harness and backend events to stderr")
	pf.StringVar(&g.backend.kubeconfig, "kubeconfig", "", "kube: the kubeconfig file (default $KUBECONFIG, else ~/.kube/config)")
	pf.StringVar(&g.backend.context, "context", "", "kube: the kubeconfig context (default its current one)")
	pf.StringVar(&g.backend.image, "image", "", "kube: the meshd image the pods run (meshlab image push REF pushes one)")
	pf.StringVar(&g.backend.cluster, "cluster", "", "kind: run on this existing kind cluster instead of creating one")
	pf.BoolVar(&g.backend.keep, "keep", false, "kind: keep the cluster the run created")
	root.AddCommand(newScenarioCmd(s, g), newReportCmd(s), newCompareCmd(s), newReproduceCmd(s, g), newUpCmd(s, g), newVersionCmd(s), newKindCmd(s), newImageCmd(s), newCleanCmd(s, g))
	return root
}

func (g *globalFlags) logger(s Streams) *slog.Logger {
	if !g.verbose {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(s.Err, nil))
}
