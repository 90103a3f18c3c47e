package stress

import (
	"bufio"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The tests in cpu_test.go and memory_test.go measure the whole test process (CPU time,
// resident memory), so they don't call t.Parallel: parallel tests only start once they are done.

// processCPU is the test process's user+system CPU time so far.
func processCPU(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuOver runs f and returns the CPU time the process used and the wall time that passed.
func cpuOver(t *testing.T, f func()) (cpu, wall time.Duration) {
	t.Helper()
	c0, w0 := processCPU(t), time.Now()
	f()
	return processCPU(t) - c0, time.Since(w0)
}

// cores is how many cores n workers at load percent can use on this machine.
func cores(n, load int) float64 {
	return min(float64(n*load)/100, float64(runtime.NumCPU()))
}

// vmRSS is the test process's resident memory, in bytes.
func vmRSS(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, err := kibField(rest)
			require.NoError(t, err)
			return n
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// waitHeld polls until s holds want bytes, for at most 20 s.
func waitHeld(t *testing.T, s *Stressor, want int64) {
	t.Helper()
	require.Eventually(t, func() bool { return s.Status().BytesHeld == want },
		20*time.Second, 10*time.Millisecond, "stressor never held %d bytes", want)
}

func intp(n int) *int { return &n }
