package local

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/internal/testbin"
	"github.com/meshlab/meshlab/scenarios"
)

// shared is one mesh shared by the tests of this package that do not disturb each other.
var shared *localMesh

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	bin, err := testbin.Build()
	defer testbin.Cleanup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "building meshd:", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "meshlab-local-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	b := New(Options{Meshd: filepath.Join(bin, "meshd"), Logger: testLogger()})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mesh, err := b.Up(ctx, testSpec(dir))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bringing the shared mesh up:", err)
		return 1
	}
	shared = mesh.(*localMesh)
	defer mesh.Down(context.Background())
	return m.Run()
}

// testSpec is the default topology with a short restart delay.
func testSpec(dir string) clusters.Spec {
	sc := scenarios.Scenario{Name: "test", Load: scenarios.Load{Rate: 1, Duration: scenarios.Duration{Duration: time.Second}}}
	sc.Default()
	sc.Topology.RestartDelay = scenarios.Duration{Duration: 500 * time.Millisecond}
	return clusters.Spec{RunID: "test", Dir: dir, Seed: 7, Topology: sc.Topology, Token: "test-token"}
}

func testLogger() *slog.Logger {
	if os.Getenv("MESHLAB_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.DiscardHandler)
}

func needMesh(t *testing.T) *localMesh {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: starts the real mesh")
	}
	return shared
}
