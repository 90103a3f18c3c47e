package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/proctest"
)

// repoRoot is where scenarios.yaml lives, relative to this package.
const repoRoot = "../.."

// meshlab starts the built meshlab binary with args in the repository root.
func meshlab(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: runs the real binaries")
	}
	cmd := exec.Command(filepath.Join(bin, "meshlab"), args...)
	cmd.Dir = repoRoot
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	return cmd, &out
}

// exitCode runs cmd to completion and returns its exit code.
func exitCode(t *testing.T, cmd *exec.Cmd, out *bytes.Buffer) int {
	t.Helper()
	err := cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errorsAs(err, &ee) {
		t.Fatalf("meshlab: %v\n%s", err, out)
	}
	return cmd.ProcessState.ExitCode()
}

func errorsAs(err error, ee **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	*ee = e
	return ok
}

// report is the part of report.json these tests read.
type report struct {
	Run struct {
		MeshReadyMs float64 `json:"meshReadyMs"`
		Interrupted bool    `json:"interrupted"`
	} `json:"run"`
	Overall struct {
		Requests       int     `json:"requests"`
		TargetRate     float64 `json:"targetRate"`
		AchievedRate   float64 `json:"achievedRate"`
		SuccessPercent float64 `json:"successPercent"`
	} `json:"overall"`
}

func readReport(t *testing.T, dir string) (report, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	var r report
	require.NoError(t, json.Unmarshal(raw, &r))
	return r, raw
}

// noLeftovers asserts that none of the run's processes runs and none of its ports listens.
func noLeftovers(t *testing.T, dir string, harnessPID int) {
	t.Helper()
	recs, err := proctest.ReadRecords(dir)
	require.NoError(t, err)
	require.NotEmpty(t, recs)
	// Children reparented to init are reaped asynchronously: allow a moment.
	var left []string
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if left = proctest.Leftovers(recs, harnessPID); len(left) == 0 {
			return
		}
	}
	t.Fatalf("the run left behind:\n%s", strings.Join(left, "\n"))
}

func TestBaselineRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	cmd, out := meshlab(t, "scenario", "run", "baseline", "--rate", "200", "--duration", "10s", "--out", dir)
	require.NoError(t, cmd.Start())
	require.Equal(t, 0, exitCode(t, cmd, out), "meshlab failed:\n%s", out)
	t.Logf("meshlab output:\n%s", out)
	noLeftovers(t, dir, cmd.Process.Pid)

	r, raw := readReport(t, dir)
	assert.False(t, r.Run.Interrupted)
	assert.Positive(t, r.Run.MeshReadyMs)
	assert.Less(t, r.Run.MeshReadyMs, 3000.0, "mesh ready within 3s, as the report records")
	assert.Equal(t, 100.0, r.Overall.SuccessPercent)
	assert.InEpsilon(t, 200, r.Overall.TargetRate, 0.001)
	assert.InEpsilon(t, r.Overall.TargetRate, r.Overall.AchievedRate, 0.01, "achieved rate within 1%% of target")
	assert.InDelta(t, 200*8, r.Overall.Requests, 200*8*0.02, "8 measured seconds (10s minus 2s warm-up)")

	// The report rebuilds from the stored samples, byte for byte.
	rebuilt, rout := meshlab(t, "report", dir)
	require.NoError(t, rebuilt.Start())
	require.Equal(t, 0, exitCode(t, rebuilt, rout), "%s", rout)
	_, again := readReport(t, dir)
	assert.Equal(t, string(raw), string(again))
	assert.FileExists(t, filepath.Join(dir, "report.md"))
}

// startRun starts a run and waits until it is measuring (samples on disk).
func startRun(t *testing.T, duration string) (*exec.Cmd, *bytes.Buffer, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	cmd, out := meshlab(t, "scenario", "run", "baseline", "--rate", "100", "--duration", duration, "--out", dir)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	require.Eventually(t, func() bool {
		st, err := os.Stat(filepath.Join(dir, "results.bin"))
		return err == nil && st.Size() > 0
	}, 30*time.Second, 20*time.Millisecond, "the run never started measuring:\n%s", out)
	time.Sleep(3 * time.Second) // past the 2 s warm-up, so the report has figures
	return cmd, out, dir
}

func TestSignalsTearDown(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd, out, dir := startRun(t, "30s")
			require.NoError(t, cmd.Process.Signal(sig))
			code := exitCode(t, cmd, out)
			assert.Equal(t, 130, code, "%s", out)
			noLeftovers(t, dir, cmd.Process.Pid)
			r, _ := readReport(t, dir)
			assert.True(t, r.Run.Interrupted, "the report of an interrupted run says so")
			assert.Positive(t, r.Overall.Requests, "what was measured is kept")
		})
	}
}

func TestKilledHarnessTakesChildrenAlong(t *testing.T) {
	cmd, out, dir := startRun(t, "30s")
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = exitCode(t, cmd, out)
	noLeftovers(t, dir, cmd.Process.Pid)
}
