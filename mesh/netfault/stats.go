package netfault

import "sync/atomic"

// RuleStats counts what one rule did since it was first set (counts survive its removal).
type RuleStats struct {
	Name            string
	Delayed         int64 // writes delayed by the delay block
	Lost            int64 // transmissions lost, each retransmitted after an RTO
	Corrupted       int64 // transmissions corrupted, each retransmitted after an RTO
	DuplicatedBytes int64 // bytes sent twice (the receiver discards them)
	ThrottledBytes  int64 // bytes that waited for bandwidth tokens
	Dropped         int64 // bandwidth queue overflows, each retransmitted after an RTO
	Blackholed      int64 // writes, reads and dials held by a partition
}

// Stats is every rule's counters, in the order rules were first set.
type Stats struct {
	Rules []RuleStats
}

type counters struct {
	delayed, lost, corrupted, duplicated, throttled, dropped, blackholed atomic.Int64
}

// Stats returns the counters of every rule ever set.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	var st Stats
	for _, name := range e.order {
		c := e.counts[name]
		st.Rules = append(st.Rules, RuleStats{Name: name, Delayed: c.delayed.Load(),
			Lost: c.lost.Load(), Corrupted: c.corrupted.Load(), DuplicatedBytes: c.duplicated.Load(),
			ThrottledBytes: c.throttled.Load(), Dropped: c.dropped.Load(),
			Blackholed: c.blackholed.Load()})
	}
	return st
}
