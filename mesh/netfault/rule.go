package netfault

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Rule is one NetworkChaos effect on this process's egress. Every block present applies;
// several rules on one peer add up.
type Rule struct {
	Name      string
	Targets   []netip.Prefix // peers affected; empty means every peer
	Delay     *Delay
	Loss      *Prob
	Corrupt   *Prob
	Duplicate *Prob
	Bandwidth *Bandwidth
	Partition bool // blackhole both ways, hang new dials
}

// Delay is netem's delay block: uniform on [Latency−Jitter, Latency+Jitter).
type Delay struct {
	Latency     time.Duration
	Jitter      time.Duration
	Correlation float64 // 0–100, used only when Jitter > 0
}

// Prob is a netem probability: Percent and Correlation on a 0–100 scale.
type Prob struct {
	Percent     float64
	Correlation float64
}

// Bandwidth is tbf: Rate bytes/s, Buffer the bucket size in bytes, Limit the bytes that may
// wait for tokens before further writes are dropped (and retransmitted after an RTO).
type Bandwidth struct {
	Rate   uint64
	Limit  uint64
	Buffer uint64
}

// Validate reports every problem of r at once.
func (r Rule) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if r.Name == "" {
		bad("name is empty")
	}
	for i, p := range r.Targets {
		if !p.IsValid() {
			bad("targets[%d] is not a valid prefix", i)
		}
	}
	if d := r.Delay; d != nil {
		if d.Latency < 0 || d.Jitter < 0 {
			bad("delay: latency and jitter must not be negative")
		}
		checkPercent(bad, "delay.correlation", d.Correlation)
	}
	for name, p := range map[string]*Prob{"loss": r.Loss, "corrupt": r.Corrupt, "duplicate": r.Duplicate} {
		if p != nil {
			checkPercent(bad, name+".percent", p.Percent)
			checkPercent(bad, name+".correlation", p.Correlation)
		}
	}
	if b := r.Bandwidth; b != nil && (b.Rate == 0 || b.Buffer == 0) {
		bad("bandwidth: rate and buffer must be positive")
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("rule %q: %w", r.Name, err)
	}
	return nil
}

func checkPercent(bad func(string, ...any), field string, v float64) {
	if v < 0 || v > 100 {
		bad("%s %v is not within 0–100", field, v)
	}
}

// matches reports whether peer is one of r's targets.
func (r *Rule) matches(peer netip.Addr) bool {
	if len(r.Targets) == 0 {
		return true
	}
	for _, p := range r.Targets {
		if p.Contains(peer) {
			return true
		}
	}
	return false
}
