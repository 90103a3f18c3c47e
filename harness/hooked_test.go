package harness

import (
	"context"
	"sync"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/mesh/policy"
)

// hookedBackend is a real backend registered under another name, its mesh wrapped so that a
// test sees what the harness does to it and can act at two moments: the harness drives it
// like any other backend, through the Registry.
type hookedBackend struct {
	name  string
	inner clusters.Backend
	// afterUp runs when the inner backend's Up returned a mesh; beforeDown when the harness
	// tears the mesh down, before the inner mesh goes; onScrape at every metrics scrape.
	afterUp, beforeDown, onScrape func(m *hookedMesh)
}

func (b *hookedBackend) Name() string { return b.name }

func (b *hookedBackend) Up(ctx context.Context, spec clusters.Spec) (clusters.Mesh, error) {
	inner, err := b.inner.Up(ctx, spec)
	if err != nil {
		return nil, err
	}
	m := &hookedMesh{Mesh: inner, b: b, spec: spec}
	if b.afterUp != nil {
		b.afterUp(m)
	}
	return m, nil
}

// hookedMesh forwards to the real mesh and records the injections the harness made.
type hookedMesh struct {
	clusters.Mesh
	b    *hookedBackend
	spec clusters.Spec

	mu         sync.Mutex
	injections []*hookedInjection
	downs      int
}

func (m *hookedMesh) Down(ctx context.Context) error {
	m.mu.Lock()
	m.downs++
	first := m.downs == 1
	m.mu.Unlock()
	if first && m.b.beforeDown != nil {
		m.b.beforeDown(m)
	}
	return m.Mesh.Down(ctx)
}

func (m *hookedMesh) Inject(ctx context.Context, f clusters.Fault) (clusters.Injection, error) {
	in, err := m.Mesh.(clusters.Injector).Inject(ctx, f)
	if err != nil {
		return nil, err
	}
	hi := &hookedInjection{Injection: in, fault: f}
	m.mu.Lock()
	m.injections = append(m.injections, hi)
	m.mu.Unlock()
	return hi, nil
}

func (m *hookedMesh) SetPolicy(ctx context.Context, p policy.MeshPolicy) (uint64, error) {
	return m.Mesh.(clusters.PolicySetter).SetPolicy(ctx, p)
}

func (m *hookedMesh) MetricsTargets() []clusters.MetricsTarget {
	if m.b.onScrape != nil {
		m.b.onScrape(m)
	}
	return m.Mesh.(clusters.MetricsSource).MetricsTargets()
}

// removed reports whether every injection the harness made was removed (one-shot ones
// have nothing to remove).
func (m *hookedMesh) removed() (all bool, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	all = true
	for _, in := range m.injections {
		in.mu.Lock()
		all = all && (in.removes > 0 || in.fault.OneShot)
		in.mu.Unlock()
	}
	return all, len(m.injections)
}

type hookedInjection struct {
	clusters.Injection
	fault   clusters.Fault
	mu      sync.Mutex
	removes int
}

func (in *hookedInjection) Remove(ctx context.Context) error {
	in.mu.Lock()
	in.removes++
	in.mu.Unlock()
	return in.Injection.Remove(ctx)
}

var (
	_ clusters.Injector      = (*hookedMesh)(nil)
	_ clusters.PolicySetter  = (*hookedMesh)(nil)
	_ clusters.MetricsSource = (*hookedMesh)(nil)
)
