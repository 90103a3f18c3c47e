package local

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/clusters"
)

func stressChaos(t *testing.T, name, pod, stressors string) clusters.Fault {
	return chaosFault(t, fmt.Sprintf(`
apiVersion: chaos-mesh.org/v1alpha1
kind: StressChaos
metadata: {name: %s}
spec:
  mode: one
  selector: {labelSelectors: {app: order}}
  stressors:
%s`, name, stressors), []string{pod})
}

// cpuSeconds reads a process's user+system CPU time from /proc/<pid>/stat (clock ticks of 10ms).
func cpuSeconds(t testing.TB, pid int) float64 {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	require.NoError(t, err)
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100
}

// cpuRate measures a process's CPU use in cores over window.
func cpuRate(t *testing.T, pid int, window time.Duration) float64 {
	start, c0 := time.Now(), cpuSeconds(t, pid)
	time.Sleep(window)
	return (cpuSeconds(t, pid) - c0) / time.Since(start).Seconds()
}

// rss reads a process's VmRSS in bytes.
func rss(t testing.TB, pid int) int64 {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			require.NoError(t, err)
			return kb * 1024
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

func TestFaultStressCPU(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	m := needMesh(t)
	waitHealthy(t, m)
	pid := podByID(t, m, "order-0").app.PID()
	const window = 2 * time.Second
	base := cpuRate(t, pid, window)
	inj := inject(t, m, stressChaos(t, "order-cpu", "order-0", "    cpu: {workers: 1, load: 80}"))
	time.Sleep(200 * time.Millisecond)
	ref := make(chan float64, 1)
	go func() { ref <- referenceSpin(window, 0.8) }()
	during := cpuRate(t, pid, window)
	available := <-ref // what a load-80 worker gets on this (shared) machine right now
	require.NoError(t, inj.Remove(t.Context()))
	time.Sleep(200 * time.Millisecond)
	after := cpuRate(t, pid, window)
	want := 0.7 * min(1*80.0/100, float64(runtime.NumCPU()), available)
	t.Logf("cpu stress (1 worker, load 80) on order-0: %.2f → %.2f → %.2f cores (rise %.2f, want ≥ %.2f; a reference load-80 spinner got %.2f cores)",
		base, during, after, during-base, want, available)
	assert.GreaterOrEqual(t, during-base, want)
	assert.Less(t, after, base+0.2, "drops back after Remove")
}

func TestFaultStressMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	m := needMesh(t)
	waitHealthy(t, m)
	pid := podByID(t, m, "order-1").app.PID()
	const size = 64 << 20
	base := rss(t, pid)
	inj := inject(t, m, stressChaos(t, "order-mem", "order-1", "    memory: {workers: 2, size: 64MiB}"))
	var during int64
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if during = rss(t, pid); during-base >= size*9/10 {
			break
		}
	}
	require.NoError(t, inj.Remove(t.Context()))
	var after int64
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if after = rss(t, pid); after-base < size/2 {
			break
		}
	}
	t.Logf("memory stress (64MiB, 2 workers) on order-1: VmRSS %d → %d → %d MiB", base>>20, during>>20, after>>20)
	assert.GreaterOrEqual(t, during-base, int64(size*9/10))
	assert.Less(t, after-base, int64(size/2), "released after Remove")
}

// referenceSpin burns load of one CPU in 10ms slices (as stress-ng's --cpu-load-slice 10) on a
// locked thread for d and returns the cores it obtained: the CPU a stressor can get on this
// machine while other work competes for it.
func referenceSpin(d time.Duration, load float64) float64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var r0, r1 syscall.Rusage
	_ = syscall.Getrusage(rusageThread, &r0)
	start := time.Now()
	for time.Since(start) < d {
		slice := time.Now()
		for time.Since(slice) < time.Duration(load*float64(10*time.Millisecond)) {
		}
		time.Sleep(time.Duration((1 - load) * float64(10*time.Millisecond)))
	}
	_ = syscall.Getrusage(rusageThread, &r1)
	used := time.Duration(r1.Utime.Nano() + r1.Stime.Nano() - r0.Utime.Nano() - r0.Stime.Nano())
	return used.Seconds() / time.Since(start).Seconds()
}

const rusageThread = 1 // RUSAGE_THREAD (Linux)
