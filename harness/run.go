package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/harness/load"
	"github.com/meshlab/meshlab/reports"
	"github.com/meshlab/meshlab/rundir"
	"github.com/meshlab/meshlab/scenarios"
)

// Options configure one run.
type Options struct {
	// Backends by name; the scenario's backend picks one.
	Backends map[string]clusters.Backend
	// Dir is the run directory; empty: OutRoot/<scenario>-<time>.
	Dir     string
	OutRoot string
	// Progress receives the live line; nil: none.
	Progress io.Writer
	Logger   *slog.Logger

	// Repeat and RepeatIndex place this run among repeats of the scenario (Meta.Repeat,
	// Meta.RepeatIndex); zero: a single run.
	Repeat, RepeatIndex int

	afterUp func() // test hook: runs once the mesh is up
}

// Outcome is what a run produced.
type Outcome struct {
	Dir    string
	Report *reports.Report
}

// Run runs sc (defaults filled, validated) and writes its report. Whatever happens — success,
// an error, ctx cancelled by a signal, a panic — the mesh it started is torn down before Run
// returns, and every sample taken is on disk. A cancelled run still writes a report of what it
// measured, marked interrupted, and returns ctx's error.
func Run(ctx context.Context, sc scenarios.Scenario, opts Options) (out Outcome, err error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	backend, ok := opts.Backends[sc.Backend]
	if !ok {
		return out, fmt.Errorf("scenario %s: backend %q is not available here", sc.Name, sc.Backend)
	}
	if ps := CheckGates(sc); len(ps) > 0 {
		return out, fmt.Errorf("scenario %s: %w", sc.Name, &scenarios.ValidationError{Problems: ps})
	}
	firings, changes, err := plan(sc)
	if err != nil {
		return out, err
	}
	out.Dir, err = runDir(opts, sc)
	if err != nil {
		return out, err
	}
	began := time.Now()
	meta := newMeta(sc, backend.Name(), filepath.Base(out.Dir))
	meta.Repeat, meta.RepeatIndex = opts.Repeat, opts.RepeatIndex
	if err := reports.WriteMeta(out.Dir, meta); err != nil {
		return out, err
	}
	log.Info("run starting", "scenario", sc.Name, "dir", out.Dir, "backend", backend.Name())

	token := NewToken()
	mesh, err := backend.Up(ctx, clusters.Spec{
		RunID: meta.RunID, Dir: out.Dir, Seed: sc.Seed, Namespace: sc.Namespace,
		Topology: sc.Topology, Token: token,
	})
	if err != nil {
		return out, fmt.Errorf("bringing the mesh up: %w", err)
	}
	ch := newChaos(mesh, log)
	ch.view = newMeshView(mesh, token, log)
	chaosCtx, stopChaos := context.WithCancel(ctx)
	defer func() {
		// Every exit path, a panic included, removes every active fault, then tears the mesh
		// down.
		r := recover()
		stopChaos()
		dctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		ch.wg.Wait()
		ch.removeAll(dctx)
		if derr := mesh.Down(dctx); derr != nil && err == nil {
			err = fmt.Errorf("tearing the mesh down: %w", derr)
		}
		if r != nil {
			panic(r)
		}
	}()
	meta.MeshReady = time.Since(began)
	log.Info("mesh ready", "gateway", mesh.GatewayURL(), "took", meta.MeshReady.Round(time.Millisecond))
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "mesh ready in %s; gateway %s\n", meta.MeshReady.Round(time.Millisecond), mesh.GatewayURL())
	}
	if sc.Policy != nil {
		if err := ch.applyPolicy(ctx, "initial", *sc.Policy); err != nil {
			return out, fmt.Errorf("applying the scenario's policy: %w", err)
		}
	}
	if opts.afterUp != nil {
		opts.afterUp()
	}
	cpu := sampleCPU(chaosCtx, time.Second)
	ch.view.scrape("start")
	polled := ch.view.pollEjections(chaosCtx, ejectionPollEvery)
	ch.start(chaosCtx, time.Now(), firings, changes)
	sum, attackErr := attack(ctx, sc, mesh.GatewayURL(), out.Dir, opts, ch.activeFaults, log)
	stopChaos()
	ch.wg.Wait()
	rctx, cancelRemove := context.WithTimeout(context.Background(), 15*time.Second)
	ch.removeAll(rctx)
	cancelRemove()
	<-polled
	ch.view.scrape("end")
	ch.fill(&meta)
	meta.Mesh = ch.view.all()
	meta.Ejections = ch.view.allEjections()
	meta.HostCPU = toCPUSamples(<-cpu)
	meta.StartedAt = sum.Started
	meta.ScheduledRequests = int(sum.Scheduled)
	meta.Interrupted = attackErr != nil
	if err := reports.WriteMeta(out.Dir, meta); err != nil {
		return out, err
	}
	out.Report, err = reports.Rebuild(out.Dir)
	if err != nil {
		return out, fmt.Errorf("building the report: %w", err)
	}
	if err := reports.WriteFiles(out.Dir, out.Report); err != nil {
		return out, err
	}
	return out, attackErr
}

// attack drives the scenario's load through the gateway, streaming samples to results.bin.
func attack(ctx context.Context, sc scenarios.Scenario, gateway, dir string, opts Options, active func() string, log *slog.Logger) (load.Summary, error) {
	f, err := os.Create(filepath.Join(dir, rundir.Results))
	if err != nil {
		return load.Summary{}, err
	}
	defer f.Close()
	live := newLiveLine(opts.Progress, sc, active)
	defer live.Close()
	sum, err := load.Attack(ctx, load.Config{
		GatewayURL: gateway, Load: sc.Load, Seed: sc.Seed, Out: f, OnResult: live.Add, Logger: log,
	})
	if err == nil {
		err = ctx.Err()
	}
	return sum, err
}

// runDir creates the run directory.
func runDir(opts Options, sc scenarios.Scenario) (string, error) {
	dir := opts.Dir
	if dir == "" {
		dir = rundir.New(opts.OutRoot, sc.Name)
	}
	return dir, rundir.Create(dir)
}

func newMeta(sc scenarios.Scenario, backend, runID string) reports.Meta {
	host, _ := os.Hostname()
	return reports.Meta{
		Scenario: sc, Seed: sc.Seed, Backend: backend, RunID: runID, Interrupted: true, Gates: sc.Gates,
		Versions: reports.Versions{Meshlab: Version(), Go: runtime.Version(), Vegeta: depVersion("github.com/tsenart/vegeta/v12")},
		Machine:  reports.Machine{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), Hostname: host},
	}
}

// Version is meshlab's version: the module version, or the VCS revision of a development build.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel-" + s.Value[:12]
		}
	}
	return "devel"
}

func depVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				return d.Version
			}
		}
	}
	return "unknown"
}

// NewToken returns a fresh random run token for admin endpoints.
func NewToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
