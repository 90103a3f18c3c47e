package stress

import (
	"log/slog"
	"os"
	"sync/atomic"
	"syscall"
)

// touchBatch is how many bytes a memory worker touches between progress updates.
const touchBatch = 1 << 20

// hold is one memory worker: it maps size bytes outside the Go heap (so the service's garbage
// collector pacing is untouched, as with a separate memStress process), writes one byte per
// page so every page is resident, adds them to held, and keeps them until stop closes.
func hold(stop <-chan struct{}, size int64, held *atomic.Int64, log *slog.Logger) {
	if size <= 0 {
		return
	}
	b, err := syscall.Mmap(-1, 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		log.Warn("memory stress worker could not map its share", "bytes", size, "err", err)
		return
	}
	touched := touch(stop, b, held)
	<-stop
	if err := syscall.Munmap(b); err != nil {
		log.Warn("memory stress worker could not release its share", "bytes", size, "err", err)
	}
	held.Add(-touched)
}

// touch writes one byte per page of b, reporting progress in held, and returns how many bytes
// it made resident; it stops early when stop closes.
func touch(stop <-chan struct{}, b []byte, held *atomic.Int64) int64 {
	page := os.Getpagesize()
	var done int64
	for lo := 0; lo < len(b); lo += touchBatch {
		select {
		case <-stop:
			return done
		default:
		}
		hi := min(lo+touchBatch, len(b))
		for off := lo; off < hi; off += page {
			b[off] = 1
		}
		held.Add(int64(hi - lo))
		done += int64(hi - lo)
	}
	return done
}
