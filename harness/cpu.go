package harness

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuSample is the host's busy share over one interval.
type cpuSample struct {
	At          time.Time
	BusyPercent float64
}

// sampleCPU samples the whole host's CPU busy share from /proc/stat every interval until ctx
// ends, so a report can tell whether the load generator and the mesh starved each other.
// Where /proc/stat is missing it returns no samples.
func sampleCPU(ctx context.Context, interval time.Duration) <-chan []cpuSample {
	out := make(chan []cpuSample, 1)
	go func() {
		var samples []cpuSample
		defer func() { out <- samples }()
		prevBusy, prevTotal, ok := readCPU()
		if !ok {
			return
		}
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				busy, total, ok := readCPU()
				if !ok || total == prevTotal {
					continue
				}
				samples = append(samples, cpuSample{At: now, BusyPercent: 100 * float64(busy-prevBusy) / float64(total-prevTotal)})
				prevBusy, prevTotal = busy, total
			}
		}
	}()
	return out
}

// readCPU returns busy and total jiffies of the aggregate "cpu" line of /proc/stat.
func readCPU() (busy, total uint64, ok bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0, 0, false
	}
	fields := strings.Fields(sc.Text())
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0, false
	}
	// user nice system idle iowait irq softirq steal; guest time is already counted in user.
	for i, v := range fields[1:min(len(fields), 9)] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total, true
}
