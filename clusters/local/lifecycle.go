package local

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/controlplane"
)

// restart relaunches p after the restart delay, retrying with the same delay while it fails,
// until the mesh goes down.
func (m *localMesh) restart(p *process) {
	m.restarts.Add(1)
	defer m.restarts.Done()
	for !m.stopping() {
		if p.held.Load() {
			for p.held.Load() && !m.stopping() { // pod-failure: down until recovered, then cold
				time.Sleep(20 * time.Millisecond)
			}
		} else {
			time.Sleep(m.restartDelay())
		}
		if m.stopping() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), m.opts.StartTimeout)
		err := p.launch(ctx)
		cancel()
		if err == nil {
			m.log.Info("process restarted", "id", p.id, "pid", p.PID())
			return
		}
		m.log.Warn("restart failed; retrying", "id", p.id, "err", err)
	}
}

// Down stops everything in reverse order of dependency: the gateway first (no new traffic),
// then every pod (sidecar, then service), then the control plane. Safe to call more than once.
func (m *localMesh) Down(ctx context.Context) error {
	m.downOnce.Do(func() {
		m.stop.Store(true)
		grace := m.opts.StopGrace
		if d, ok := ctx.Deadline(); ok && time.Until(d) < grace {
			grace = max(time.Until(d), 0)
		}
		if m.gateway != nil {
			m.gateway.stop(grace)
		}
		var wg sync.WaitGroup
		for _, p := range m.pods {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p.sidecar.stop(grace)
				p.app.stop(grace)
			}()
		}
		wg.Wait()
		m.restarts.Wait() // a relaunch in flight finishes, then is stopped below
		for _, p := range m.pods {
			p.sidecar.stop(grace)
			p.app.stop(grace)
		}
		if m.cp != nil {
			m.cp.stop(grace)
		}
		if m.cpLn != nil {
			m.cpLn.Close()
		}
	})
	return nil
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
		err := at.call(context.Background(), http.MethodGet, adminapi.Config, nil, &cfg)
		if err == nil && cfg.SnapshotVersion >= version {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("gateway did not apply snapshot version %d within %s", version, m.opts.StartTimeout)
}
