package stress

import (
	"math"
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

// clockThreadCPUTime is Linux's CLOCK_THREAD_CPUTIME_ID. Unlike getrusage(RUSAGE_THREAD),
// which only advances at scheduler ticks (4 ms at HZ=250), it is exact at every read.
const clockThreadCPUTime = 3

// burn is one CPU worker: per SliceDuration it burns load % of the slice in thread CPU time,
// then sleeps out the rest of the slice. Measuring the busy part in CPU time rather than wall
// time keeps the load honest when the machine is contended: a descheduled worker keeps going
// until it has had its share. It returns what it computed, so the work can't be elided.
func burn(stop <-chan struct{}, load int) float64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	busy := time.Duration(SliceDuration * load / 100)
	idle := time.NewTimer(time.Hour)
	defer idle.Stop()
	acc := 1.0
	for {
		start := time.Now()
		acc = spin(busy, acc)
		rest := time.Duration(SliceDuration) - time.Since(start)
		if rest <= 0 || load >= 100 {
			select {
			case <-stop:
				return acc
			default:
				continue
			}
		}
		idle.Reset(rest)
		select {
		case <-stop:
			return acc
		case <-idle.C:
		}
	}
}

// spin does sqrt arithmetic (stress-ng --cpu-method sqrt) until the calling thread has used
// d more CPU time.
func spin(d time.Duration, acc float64) float64 {
	t0 := threadCPU()
	for threadCPU()-t0 < d {
		for i := range 2000 {
			acc = math.Sqrt(acc + float64(i))
		}
	}
	return acc
}

// wallEpoch is threadCPU's fallback origin should the thread clock be unavailable.
var wallEpoch = time.Now()

// threadCPU is the calling thread's user+system CPU time, or wall time since wallEpoch where the
// kernel can't tell (the load then becomes wall-clock based, as in stress-ng).
func threadCPU() time.Duration {
	var ts syscall.Timespec
	_, _, errno := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime,
		uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		return time.Since(wallEpoch)
	}
	return time.Duration(ts.Nano())
}
