package main

import (
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// defaultTimerSlack is a proxy's timer slack (see setTimerSlack). Go's monitor thread sleeps
// 20 µs at a time while the process is busy, and a sidecar at 1,000 rps is never idle long
// enough for it to back off; with the kernel's 50 µs slack those wake-ups were a quarter of a
// sidecar's CPU. With 1 ms the kernel coalesces them; the cost is that the proxy's own timers
// (timeouts, injected delays, backoff) may fire up to 1 ms late.
const defaultTimerSlack = time.Millisecond

// setMemoryLimit sets the runtime's soft memory limit to mib MiB; 0 leaves it (GOMEMLIMIT, or none).
func setMemoryLimit(mib int) error {
	if mib < 0 {
		return fmt.Errorf("--memory-limit must be ≥ 0, got %d", mib)
	}
	if mib > 0 {
		debug.SetMemoryLimit(int64(mib) << 20)
	}
	return nil
}

// gcCycles counts the garbage collections this process has completed.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// setWorkers sets how many threads run Go code at once: n > 0 sets GOMAXPROCS, 0 leaves the
// runtime's default (one per core, or the GOMAXPROCS environment variable).
func setWorkers(n int) error {
	if n < 0 {
		return fmt.Errorf("--workers must be ≥ 0, got %d", n)
	}
	if n > 0 {
		runtime.GOMAXPROCS(n)
	}
	return nil
}

// required fails when a flag was left at its zero value.
func required(fs *flag.FlagSet, names ...string) error {
	for _, n := range names {
		f := fs.Lookup(n)
		if f == nil || f.Value.String() == "" {
			return fmt.Errorf("%s: --%s is required", fs.Name(), n)
		}
	}
	return nil
}
