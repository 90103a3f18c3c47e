package local

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/meshlab/meshlab/internal/sleep"
	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/controlplane"
)

// heldPoll is how often a restart held by pod-failure looks whether the hold was lifted.
const heldPoll = 20 * time.Millisecond

// pendRestart counts a restart about to start, unless the mesh is going down: Down waits for
// every restart it counted, and none is counted once it began.
func (m *localMesh) pendRestart() bool {
	m.stopMu.Lock()
	defer m.stopMu.Unlock()
	if m.stopping() {
		return false
	}
	m.restarts.Add(1)
	return true
}

// restart relaunches p after the restart delay, retrying with the same delay while it fails,
// until the mesh goes down: every wait ends, and every launch is cut short, when Down begins.
// The caller counted it (pendRestart).
func (m *localMesh) restart(p *process) {
	defer m.restarts.Done()
	for {
		if p.held.Load() {
			for p.held.Load() { // pod-failure: down until recovered, then cold
				if !sleep.For(m.life, heldPoll) {
					return
				}
			}
		} else if !sleep.For(m.life, m.restartDelay()) {
			return
		}
		ctx, cancel := context.WithTimeout(m.life, m.opts.StartTimeout)
		err := p.launch(ctx)
		cancel()
		if err == nil {
			m.log.Info("process restarted", "id", p.id, "pid", p.PID())
			return
		}
		if m.life.Err() != nil {
			return
		}
		m.log.Warn("restart failed; retrying", "id", p.id, "err", err)
	}
}

// Down stops everything in reverse order of dependency: the gateway first (no new traffic),
// then every pod (sidecar, then service), then the control plane. It ends every pending restart
// at once, gives each process StopGrace (less when ctx's deadline is nearer) between SIGTERM and
// SIGKILL, and returns by ctx's deadline, with what did not stop. Safe to call more than once:
// later calls return the first one's result.
func (m *localMesh) Down(ctx context.Context) error {
	m.downOnce.Do(func() { m.downErr = m.down(ctx) })
	return m.downErr
}

func (m *localMesh) down(ctx context.Context) error {
	m.stopMu.Lock()
	m.stop.Store(true)
	m.stopMu.Unlock()
	m.endLife()
	grace := m.opts.StopGrace
	if d, ok := ctx.Deadline(); ok && time.Until(d) < grace {
		grace = max(time.Until(d), 0)
	}
	var (
		mu   sync.Mutex
		errs []error
	)
	stop := func(p *process) {
		if p == nil {
			return
		}
		if err := p.stop(ctx, grace); err != nil {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
	}
	stop(m.gateway)
	stopPods := func() {
		var wg sync.WaitGroup
		for _, p := range m.pods {
			wg.Go(func() {
				stop(p.sidecar)
				stop(p.app)
			})
		}
		wg.Wait()
	}
	stopPods()
	if err := m.waitRestarts(ctx); err != nil {
		errs = append(errs, err)
	}
	stopPods() // a relaunch that finished before it saw the end
	stop(m.cp)
	if m.cpLn != nil {
		if err := m.cpLn.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing the control plane's socket: %w", err))
		}
	}
	return errors.Join(errs...)
}

// waitRestarts waits for the pending restarts to give up (Down ended their waits), until ctx ends.
func (m *localMesh) waitRestarts(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		m.restarts.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("restarts still in flight when the deadline came: %w", ctx.Err())
	}
}

// waitConverged waits until the control plane lists every instance ready and the gateway has
// that snapshot, so the first request of a run finds the whole mesh.
func (m *localMesh) waitConverged(ctx context.Context) error {
	want := len(m.pods)
	ctx, cancel := context.WithTimeout(ctx, m.opts.StartTimeout)
	defer cancel()
	c := controlplane.NewClient(m.controlPlaneURL(), m.log)
	var version uint64
	err := c.Watch(ctx, func(s controlplane.Snapshot) {
		n := 0
		for _, insts := range s.Services {
			n += len(insts)
		}
		if n == want && version == 0 {
			version = s.Version
			cancel()
		}
	})
	if version == 0 {
		return fmt.Errorf("mesh did not converge: %d instances expected: %w", want, err)
	}
	return m.waitGatewayVersion(version)
}

// waitGatewayVersion polls the gateway's admin config until it has applied version.
func (m *localMesh) waitGatewayVersion(version uint64) error {
	deadline := time.Now().Add(m.opts.StartTimeout)
	at, _ := m.adminOf(m.gateway)
	for time.Now().Before(deadline) {
		var cfg struct {
			SnapshotVersion uint64 `json:"snapshotVersion"`
		}
		err := adminapi.Call(context.Background(), at, http.MethodGet, adminapi.Config, nil, &cfg)
		if err == nil && cfg.SnapshotVersion >= version {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("gateway did not apply snapshot version %d within %s", version, m.opts.StartTimeout)
}
