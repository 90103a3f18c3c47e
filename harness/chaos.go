package harness

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/internal/sleep"
	"github.com/meshlab/meshlab/mesh/policy"
)

// firing is one fault firing on the run's clock: a scenario fault, or one firing of a Schedule.
type firing struct {
	fault    clusters.Fault // Selected/Targets filled at injection; At is the offset from the attack start
	selector func(ws []clusters.Workload) (selected, targets []string, err error)
}

// policyChange is a policy applied at an offset.
type policyChange struct {
	at     time.Duration
	name   string
	policy policy.MeshPolicy
}

// timeline is what happened to faults and policies during a run, in wall time.
type timeline struct {
	mu       sync.Mutex
	faults   []faultEvent
	policies []policyEvent
}

type faultEvent struct {
	name, kind, action  string
	selected            []string
	scheduled, injected time.Time
	removed             time.Time
	differences         []string
	err                 string
}

type policyEvent struct {
	at      time.Time
	name    string
	version uint64
}

// chaos runs a scenario's faults and policy changes against a mesh on the attack's clock, and
// removes every active fault when the run ends, whatever ends it.
type chaos struct {
	mesh   clusters.Mesh
	log    *slog.Logger
	tl     *timeline
	mu     sync.Mutex
	active map[int]clusters.Injection // by index in tl.faults
	view   *meshView                  // scraped at every phase boundary; nil: none
	wg     sync.WaitGroup
}

func newChaos(mesh clusters.Mesh, log *slog.Logger) *chaos {
	return &chaos{mesh: mesh, log: log, tl: &timeline{}, active: map[int]clusters.Injection{}}
}

// start schedules every firing and policy change relative to start; each runs in its own
// goroutine until ctx ends.
func (c *chaos) start(ctx context.Context, start time.Time, firings []firing, changes []policyChange) {
	for _, f := range firings {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.fire(ctx, start, f)
		}()
	}
	for _, pc := range changes {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			if sleep.Until(ctx, start.Add(pc.at)) {
				c.applyPolicy(ctx, pc.name, pc.policy)
			}
		}()
	}
}

// applyPolicy sets p on the mesh and marks the moment.
func (c *chaos) applyPolicy(ctx context.Context, name string, p policy.MeshPolicy) error {
	ps, ok := c.mesh.(clusters.PolicySetter)
	if !ok {
		return fmt.Errorf("this backend cannot apply policies")
	}
	v, err := ps.SetPolicy(ctx, p)
	if err != nil {
		c.log.Error("applying policy", "name", name, "err", err)
		return err
	}
	c.markPolicy(name, v, time.Now())
	return nil
}

// markPolicy records that policy version v (named name) was distributed at, and scrapes the
// mesh's counters: the boundary of a phase.
func (c *chaos) markPolicy(name string, v uint64, at time.Time) {
	c.tl.mu.Lock()
	c.tl.policies = append(c.tl.policies, policyEvent{at: at, name: name, version: v})
	c.tl.mu.Unlock()
	c.view.scrape("policy:" + name)
}

// fire injects one firing at its time and removes it after its duration.
func (c *chaos) fire(ctx context.Context, start time.Time, f firing) {
	scheduled := start.Add(f.fault.At)
	ev := faultEvent{name: f.fault.Name, kind: f.fault.Kind, action: f.fault.Action, scheduled: scheduled}
	idx := c.record(ev)
	if !sleep.Until(ctx, scheduled) {
		return
	}
	inj, err := c.inject(ctx, f, idx)
	if err != nil {
		c.log.Error("injecting fault", "fault", f.fault.Name, "err", err)
		c.update(idx, func(e *faultEvent) { e.err = err.Error() })
		return
	}
	if f.fault.OneShot || f.fault.Duration == 0 {
		return // one-shot, or until the run ends (removeAll)
	}
	if sleep.Until(ctx, scheduled.Add(f.fault.Duration)) {
		c.remove(ctx, idx, inj)
	}
}

func (c *chaos) inject(ctx context.Context, f firing, idx int) (clusters.Injection, error) {
	inj, ok := c.mesh.(clusters.Injector)
	if !ok {
		return nil, fmt.Errorf("this backend cannot inject faults")
	}
	sel, targets, err := f.selector(c.mesh.Workloads())
	if err != nil {
		return nil, err
	}
	f.fault.Selected, f.fault.Targets = sel, targets
	c.mu.Lock() // an injection is not raced by removeAll
	defer c.mu.Unlock()
	if c.active == nil {
		return nil, fmt.Errorf("the run is ending")
	}
	in, err := inj.Inject(ctx, f.fault)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	c.update(idx, func(e *faultEvent) {
		e.injected, e.selected, e.differences = now, sel, in.Differences()
		if f.fault.OneShot {
			e.removed = now
		}
	})
	if !f.fault.OneShot {
		c.active[idx] = in
	}
	go c.view.scrape("fault:" + f.fault.Name)
	return in, nil
}

// remove recovers one active fault.
func (c *chaos) remove(ctx context.Context, idx int, in clusters.Injection) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.active[idx]; !ok {
		return
	}
	delete(c.active, idx)
	if err := in.Remove(ctx); err != nil {
		c.log.Error("removing fault", "err", err)
	}
	now := time.Now()
	var name string
	c.update(idx, func(e *faultEvent) { e.removed, name = now, e.name })
	go c.view.scrape("recovery:" + name)
}

// removeAll recovers every active fault and stops new injections; the harness calls it on every
// exit path before the mesh goes down.
func (c *chaos) removeAll(ctx context.Context) {
	c.mu.Lock()
	active := c.active
	c.active = nil
	c.mu.Unlock()
	for idx, in := range active {
		if err := in.Remove(ctx); err != nil {
			c.log.Error("removing fault", "err", err)
		}
		now := time.Now()
		c.update(idx, func(e *faultEvent) { e.removed = now })
	}
}

func (c *chaos) record(ev faultEvent) int {
	c.tl.mu.Lock()
	defer c.tl.mu.Unlock()
	c.tl.faults = append(c.tl.faults, ev)
	return len(c.tl.faults) - 1
}

func (c *chaos) update(idx int, fn func(*faultEvent)) {
	c.tl.mu.Lock()
	defer c.tl.mu.Unlock()
	fn(&c.tl.faults[idx])
}
