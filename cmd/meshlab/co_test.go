package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/internal/proctest"
)

// TestCoordinatedOmission stops the gateway for 1 s during a 200 rps run. Latency counts from
// each request's intended send time, so every request scheduled during the stall carries the
// stall: one intended at offset x into the stall waits about 1 s − x. About 200 requests are
// scheduled in the stall; every one of them carries what was left of it, and their latencies
// spread over (0, 1 s] plus the time the gateway takes to drain the backlog after it resumes:
// at least the ~100 scheduled in the stall's first half reach 0.5 s, and up to ~200 when the
// drain is slow. A generator that stamped requests when it got round to them would show a handful.
func TestCoordinatedOmission(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	cmd, out := meshlab(t, "scenario", "run", "baseline", "--rate", "200", "--duration", "9s", "--out", dir, "-q")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	var gateway int
	require.Eventually(t, func() bool {
		recs, _ := proctest.ReadRecords(dir)
		for _, r := range recs {
			if r.ID == "gateway" {
				gateway = r.PID
			}
		}
		st, err := os.Stat(filepath.Join(dir, "results.bin"))
		return gateway != 0 && err == nil && st.Size() > 0
	}, 30*time.Second, 10*time.Millisecond, "%s", out)
	time.Sleep(3 * time.Second)

	stopped := time.Now()
	require.NoError(t, syscall.Kill(gateway, syscall.SIGSTOP))
	time.Sleep(time.Second)
	require.NoError(t, syscall.Kill(gateway, syscall.SIGCONT))
	resumed := time.Now()
	require.Equal(t, 0, exitCode(t, cmd, out), "%s", out)

	f, err := os.Open(filepath.Join(dir, "results.bin"))
	require.NoError(t, err)
	defer f.Close()
	dec := vegeta.NewDecoder(f)
	var inStall, delayed, slow, slowOutside int
	var worst time.Duration
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); err != nil {
			break
		}
		worst = max(worst, r.Latency)
		if r.Latency >= 500*time.Millisecond {
			slow++
			if r.Timestamp.Before(stopped.Add(-500*time.Millisecond)) || r.Timestamp.After(resumed.Add(500*time.Millisecond)) {
				slowOutside++
			}
		}
		// Requests scheduled well inside the stall must carry what was left of it.
		if r.Timestamp.After(stopped.Add(10*time.Millisecond)) && r.Timestamp.Before(resumed.Add(-10*time.Millisecond)) {
			inStall++
			if r.Latency >= resumed.Sub(r.Timestamp)-20*time.Millisecond {
				delayed++
			}
		}
	}
	stall := resumed.Sub(stopped)
	t.Logf("stall %s: %d scheduled in it, %d carried it, %d ≥ 0.5s, worst %s", stall, inStall, delayed, slow, worst)
	expected := 200 * stall.Seconds()
	assert.InDelta(t, expected, inStall, expected*0.1, "requests scheduled during the stall")
	assert.GreaterOrEqual(t, delayed, inStall-2, "every request scheduled in the stall waited for its end")
	// Latencies ≥ 0.5 s: at least those scheduled in the first (stall − 0.5 s) of the stall (the
	// schedule is exact: a little slack for the edges), at most everything around the stall.
	wantSlow := 200 * (stall.Seconds() - 0.5)
	assert.GreaterOrEqual(t, float64(slow), wantSlow-10, "samples of at least 0.5 s")
	assert.LessOrEqual(t, float64(slow), 200*(stall.Seconds()+0.5), "samples of at least 0.5 s")
	assert.Zero(t, slowOutside, "no sample far from the stall is slow")
	assert.GreaterOrEqual(t, worst, stall-50*time.Millisecond)
}
