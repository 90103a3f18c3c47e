package harness

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
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
	Backends clusters.Registry
	// Dir is the run directory; empty: OutRoot/<scenario>-<time>.
	Dir     string
	OutRoot string
	// Progress receives the live line; nil: none.
	Progress io.Writer
	Logger   *slog.Logger

	// Repeat and RepeatIndex place this run among repeats of the scenario (Meta.Repeat,
	// Meta.RepeatIndex); zero: a single run.
	Repeat, RepeatIndex int
}

// Outcome is what a run produced.
type Outcome struct {
	Dir    string
	Report *reports.Report
}

// Run runs sc (defaults filled, validated) and writes its report. Whatever happens — success,
// an error, ctx cancelled by a signal, a panic — every fault it injected is removed and the
// mesh it started is torn down before Run returns, and every sample taken is on disk. A
// cancelled run still writes a report of what it measured, marked interrupted, and returns
// ctx's error.
func Run(ctx context.Context, sc scenarios.Scenario, opts Options) (out Outcome, err error) {
	r, err := newRun(sc, opts)
	if err != nil {
		return out, err
	}
	out.Dir = r.dir
	defer func() {
		p := recover()
		if terr := r.teardown(); terr != nil && err == nil {
			err = terr
		}
		if p != nil {
			panic(p)
		}
	}()
	if err := r.up(ctx); err != nil {
		return out, err
	}
	attackErr := r.measure(ctx)
	if out.Report, err = r.finish(attackErr != nil); err != nil {
		return out, err
	}
	return out, attackErr
}

// run is one run of a scenario, from its plan to its report.
type run struct {
	sc      scenarios.Scenario
	opts    Options
	log     *slog.Logger
	dir     string
	began   time.Time
	meta    reports.Meta
	firings []firing
	changes []policyChange

	mesh       *Mesh
	chaos      *chaos
	stopChaos  context.CancelFunc // stops the fault schedule and the ejection poll
	polled     <-chan struct{}    // closed when the ejection poll stopped
	cpu        <-chan []cpuSample
	sum        load.Summary
	faultsOnce sync.Once
}

// newRun checks sc's gates against its fault plan, plans its faults and policy changes on the
// run clock, and creates the run directory with its run.json. Nothing is created when a check
// fails.
func newRun(sc scenarios.Scenario, opts Options) (*run, error) {
	r := &run{sc: sc, opts: opts, log: opts.Logger, began: time.Now()}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	backend, err := opts.Backends.Get(sc.Backend)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	faults, err := sc.FaultPlan(sc.Load.Duration.Duration)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	if ps := reports.CheckGates(sc.Gates, faults.Names()); len(ps) > 0 {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, &scenarios.ValidationError{Problems: ps})
	}
	r.firings, r.changes = plan(sc, faults)
	if r.dir = opts.Dir; r.dir == "" {
		r.dir = rundir.New(opts.OutRoot, sc.Name)
	}
	if err := rundir.Create(r.dir); err != nil {
		return nil, err
	}
	r.meta = newMeta(sc, backend.Name(), filepath.Base(r.dir))
	r.meta.Repeat, r.meta.RepeatIndex = opts.Repeat, opts.RepeatIndex
	return r, reports.WriteMeta(r.dir, r.meta)
}

// up brings the mesh up with the scenario's policy and marks the policy's moment.
func (r *run) up(ctx context.Context) error {
	r.log.Info("run starting", "scenario", r.sc.Name, "dir", r.dir, "backend", r.sc.Backend)
	m, err := Up(ctx, r.sc, UpOptions{Backends: r.opts.Backends, Dir: r.dir, RunID: r.meta.RunID, Logger: r.log})
	if err != nil {
		return err
	}
	r.mesh = m
	r.chaos = newChaos(m.Mesh, r.log)
	r.chaos.view = newMeshView(m.Mesh, r.log)
	r.meta.MeshReady = time.Since(r.began)
	r.log.Info("mesh ready", "gateway", m.GatewayURL(), "took", r.meta.MeshReady.Round(time.Millisecond))
	if r.opts.Progress != nil {
		fmt.Fprintf(r.opts.Progress, "mesh ready in %s; gateway %s\n", r.meta.MeshReady.Round(time.Millisecond), m.GatewayURL())
	}
	if m.Policy != 0 {
		r.chaos.markPolicy("initial", m.Policy, m.PolicyAt)
	}
	return nil
}

// measure runs the load with the fault schedule, the CPU sampler and the ejection poll
// beside it, and removes every fault once the load ends.
func (r *run) measure(ctx context.Context) error {
	chaosCtx, stop := context.WithCancel(ctx)
	r.stopChaos = stop
	r.cpu = sampleCPU(chaosCtx, time.Second)
	r.chaos.view.scrape("start")
	r.polled = r.chaos.view.pollEjections(chaosCtx, ejectionPollEvery)
	r.chaos.start(chaosCtx, time.Now(), r.firings, r.changes)
	var err error
	r.sum, err = attack(ctx, r.sc, r.mesh.GatewayURL(), r.dir, r.opts, r.chaos.activeFaults, r.log)
	r.stopFaults()
	return err
}

// stopFaults stops the fault schedule and removes every active fault, once, whichever exit
// path gets here first.
func (r *run) stopFaults() {
	r.faultsOnce.Do(func() {
		if r.stopChaos != nil {
			r.stopChaos()
		}
		r.chaos.wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), downTimeout)
		defer cancel()
		r.chaos.removeAll(ctx)
	})
}

// teardown runs on every exit path: faults first, then the mesh, if it came up.
func (r *run) teardown() error {
	if r.mesh == nil {
		return nil
	}
	r.stopFaults()
	if err := r.mesh.Close(); err != nil {
		return fmt.Errorf("tearing the mesh down: %w", err)
	}
	return nil
}

// finish takes the last scrape and writes run.json and the report files.
func (r *run) finish(interrupted bool) (*reports.Report, error) {
	<-r.polled
	r.chaos.view.scrape("end")
	r.chaos.fill(&r.meta)
	r.meta.Mesh = r.chaos.view.all()
	r.meta.Ejections = r.chaos.view.allEjections()
	r.meta.HostCPU = toCPUSamples(<-r.cpu)
	r.meta.StartedAt = r.sum.Started
	r.meta.ScheduledRequests = int(r.sum.Scheduled)
	r.meta.Interrupted = interrupted
	if err := reports.WriteMeta(r.dir, r.meta); err != nil {
		return nil, err
	}
	rep, err := reports.Rebuild(r.dir)
	if err != nil {
		return nil, fmt.Errorf("building the report: %w", err)
	}
	return rep, reports.WriteFiles(r.dir, rep)
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
