package harness

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/clusters/local"
	"github.com/meshlab/meshlab/internal/proctest"
	"github.com/meshlab/meshlab/internal/testbin"
	"github.com/meshlab/meshlab/scenarios"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}

func testOptions(t *testing.T) Options {
	t.Helper()
	return Options{Backends: clusters.Registry{"local": localBackend(t)}, Dir: filepath.Join(t.TempDir(), "run")}
}

func localBackend(t *testing.T) clusters.Backend {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: starts the real mesh")
	}
	bin, err := testbin.Build()
	require.NoError(t, err)
	return local.New(local.Options{Meshd: filepath.Join(bin, "meshd")})
}

// hookedOptions runs on b, the local backend under the name "hooked", wrapped.
func hookedOptions(t *testing.T, b *hookedBackend) (Options, scenarios.Scenario) {
	t.Helper()
	b.name, b.inner = "hooked", localBackend(t)
	sc := shortScenario()
	sc.Backend = b.name
	return Options{Backends: clusters.Registry{b.name: b}, Dir: filepath.Join(t.TempDir(), "run")}, sc
}

func shortScenario() scenarios.Scenario {
	sc := scenarios.Scenario{Name: "short", Warmup: scenarios.Duration{Duration: 500 * time.Millisecond},
		Load: scenarios.Load{Rate: 50, Duration: scenarios.Duration{Duration: 2 * time.Second}}}
	sc.Default()
	return sc
}

func TestPanicInHarnessTearsDown(t *testing.T) {
	var downs int
	b := &hookedBackend{
		onScrape:   func(*hookedMesh) { panic("boom") }, // the harness's first scrape, at the attack's start
		beforeDown: func(*hookedMesh) { downs++ },
	}
	opts, sc := hookedOptions(t, b)
	func() {
		defer func() { assert.Equal(t, "boom", recover()) }()
		_, _ = Run(context.Background(), sc, opts)
	}()
	assert.Equal(t, 1, downs, "the mesh was torn down once")
	recs, err := proctest.ReadRecords(opts.Dir)
	require.NoError(t, err)
	assert.Empty(t, proctest.Leftovers(recs, os.Getpid()))
}

func TestCancelledRunTearsDownAndReports(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	opts, sc := hookedOptions(t, &hookedBackend{afterUp: func(*hookedMesh) { time.AfterFunc(time.Second, cancel) }})
	sc.Load.Duration = scenarios.Duration{Duration: 20 * time.Second}
	out, err := Run(ctx, sc, opts)
	require.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, out.Report)
	recs, rerr := proctest.ReadRecords(opts.Dir)
	require.NoError(t, rerr)
	assert.Empty(t, proctest.Leftovers(recs, os.Getpid()))
	assert.FileExists(t, filepath.Join(opts.Dir, "report.md"))
}

func TestUnknownBackendChangesNothing(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "run")
	sc := shortScenario()
	sc.Backend = "kind"
	_, err := Run(context.Background(), sc, Options{Dir: dir, Backends: clusters.Registry{"local": nil}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `backend "kind" is not available here (this build has: local)`)
	assert.NoDirExists(t, dir, "a refused run creates nothing")
}
