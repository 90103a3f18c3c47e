package reports

import (
	"fmt"
	"slices"
	"time"
)

// Thresholds of trust: a run is trusted when its load generator kept up and its host was not
// saturated.
const (
	// TrustMinAchievedPercent is the least achieved rate, in percent of the target.
	TrustMinAchievedPercent = 99.0
	// TrustMaxSendLagP99 is the send lag p99 below which the load generator kept its schedule.
	TrustMaxSendLagP99 = 10 * time.Millisecond
	// TrustMaxHostCPUP90 is the host's busy-CPU p90 (percent) below which it was not saturated.
	TrustMaxHostCPUP90 = 90.0
)

// Trust says whether a report's figures can be trusted, and if not, why. Gates on an
// untrusted run are inconclusive.
type Trust struct {
	Trusted bool     `json:"trusted"`
	Reasons []string `json:"reasons"` // empty when trusted
	// AchievedPercent is the achieved rate in percent of the target (null without a target).
	AchievedPercent *float64 `json:"achievedPercent"`
	SendLagP99      Duration `json:"sendLagP99Ms"`
	// HostCPUP90 is the p90 of the host's busy percentage over the window, null unsampled.
	HostCPUP90 *float64 `json:"hostCpuP90Percent"`
}

// trustOf judges the overall figures and the host's CPU samples within w.
func trustOf(o Stats, cpu []CPUSample, w window) Trust {
	t := Trust{Reasons: []string{}, SendLagP99: o.SendLag.P99}
	if o.TargetRate > 0 {
		p := o.AchievedRate * 100 / o.TargetRate
		t.AchievedPercent = &p
		if p < TrustMinAchievedPercent {
			t.Reasons = append(t.Reasons, fmt.Sprintf("load generator fell behind: achieved %s of the target rate (needs ≥ %s)",
				floorPercent(p), plainPercent(TrustMinAchievedPercent)))
		}
	}
	if time.Duration(o.SendLag.P99) >= TrustMaxSendLagP99 {
		t.Reasons = append(t.Reasons, fmt.Sprintf("send lag p99 %s (needs < %s)", o.SendLag.P99, Duration(TrustMaxSendLagP99)))
	}
	if p90, ok := cpuP90(cpu, w); ok {
		t.HostCPUP90 = &p90
		if p90 >= TrustMaxHostCPUP90 {
			t.Reasons = append(t.Reasons, fmt.Sprintf("host saturated: CPU p90 %s busy (needs < %s)",
				plainPercent(round6(p90)), plainPercent(TrustMaxHostCPUP90)))
		}
	}
	t.Trusted = len(t.Reasons) == 0
	return t
}

// cpuP90 is the nearest-rank p90 of the busy percentages sampled within w.
func cpuP90(cpu []CPUSample, w window) (float64, bool) {
	var xs []float64
	for _, c := range cpu {
		if !c.At.Before(w.start) && !c.At.After(w.end) {
			xs = append(xs, c.BusyPercent)
		}
	}
	if len(xs) == 0 {
		return 0, false
	}
	slices.Sort(xs)
	rank := (9*len(xs) + 9) / 10
	return xs[max(rank, 1)-1], true
}
