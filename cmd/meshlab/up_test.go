package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/clusters/local"
	"github.com/meshlab/meshlab/internal/proctest"
)

// recordingBackend is the local backend under another name, recording what the CLI asked of it.
type recordingBackend struct {
	clusters.Backend
	name string

	mu    sync.Mutex
	specs []clusters.Spec
	downs int
}

func (b *recordingBackend) Name() string { return b.name }

func (b *recordingBackend) Up(ctx context.Context, spec clusters.Spec) (clusters.Mesh, error) {
	b.mu.Lock()
	b.specs = append(b.specs, spec)
	b.mu.Unlock()
	m, err := b.Backend.Up(ctx, spec)
	if err != nil {
		return nil, err
	}
	return &recordedMesh{Mesh: m, PolicySetter: m.(clusters.PolicySetter), b: b}, nil
}

type recordedMesh struct {
	clusters.Mesh
	clusters.PolicySetter
	b *recordingBackend
}

func (m *recordedMesh) Down(ctx context.Context) error {
	m.b.mu.Lock()
	m.b.downs++
	m.b.mu.Unlock()
	return m.Mesh.Down(ctx)
}

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestUpUsesTheBackendItIsGiven: `meshlab up --backend NAME` brings the scenario's mesh up
// through the registry's backend of that name, the one path `scenario run` takes too, serves
// through its gateway, and takes it down on Ctrl-C.
func TestUpUsesTheBackendItIsGiven(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts the real mesh")
	}
	fake := &recordingBackend{name: "recorded", Backend: local.New(local.Options{Meshd: filepath.Join(bin, "meshd")})}
	registry := func(backendFlags) clusters.Registry {
		return clusters.Registry{"local": local.New(local.Options{Meshd: "/nonexistent"}), fake.name: fake}
	}
	dir := filepath.Join(t.TempDir(), "up")
	var out, errs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, Streams{Out: &out, Err: &errs},
			[]string{"up", "-f", filepath.Join(repoRoot, "scenarios.yaml"), "--scenario", "retry-demo", "--backend", fake.name, "-o", dir},
			registry)
	}()
	var gateway string
	require.Eventually(t, func() bool {
		for _, line := range strings.Split(out.String(), "\n") {
			if g, ok := strings.CutPrefix(line, "gateway: "); ok {
				gateway = g
			}
		}
		return gateway != ""
	}, 30*time.Second, 50*time.Millisecond, "up prints the gateway; stderr: %s", &errs)
	assert.Contains(t, out.String(), "mesh up on recorded")
	resp, err := http.Get(gateway + "/users/7")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the mesh serves through its gateway")

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("up did not return after Ctrl-C")
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	require.Len(t, fake.specs, 1, "brought up once, on the backend named by --backend")
	assert.Equal(t, dir, fake.specs[0].Dir)
	assert.Equal(t, 3, fake.specs[0].Topology.Replicas["payment"], "retry-demo's topology")
	assert.Equal(t, 1, fake.downs, "taken down once")
	assert.Contains(t, errs.String(), "mesh down")
	recs, err := proctest.ReadRecords(dir)
	require.NoError(t, err)
	assert.Empty(t, proctest.Leftovers(recs, os.Getpid()))
}
