package proxy

import (
	"sync"
	"time"

	"github.com/meshlab/meshlab/mesh/policy"
)

// Retry budget windows.
const (
	// DefaultBudgetWindow is a RetryBudget's window when it sets none (Linkerd's ttl).
	DefaultBudgetWindow = 10 * time.Second
	// MaxBudgetWindow caps a RetryBudget's window.
	MaxBudgetWindow = 60 * time.Second
	// budgetSlot is the resolution of the sliding window.
	budgetSlot  = 100 * time.Millisecond
	budgetSlots = int(MaxBudgetWindow / budgetSlot)
)

// budget is a service's retry budget (Linkerd's, Finagle's RetryBudget): over a sliding
// window, retries may add Percent % to the requests; besides, MinRetriesPerSecond retries are
// allowed in any second, so a quiet service can still retry. Unlike Finagle's token bucket the
// minimum does not accumulate over the window: retries ÷ requests stays under
// 1 + Percent/100 + MinRetriesPerSecond ÷ request rate from the first second on.
type budget struct {
	mu    sync.Mutex
	slots [budgetSlots]budgetSlotCount
}

type budgetSlotCount struct {
	epoch             int64 // which 100 ms since the Unix epoch the counts belong to
	requests, retries int64
}

// deposit counts a request at now.
func (b *budget) deposit(now time.Time) {
	b.mu.Lock()
	b.slot(now).requests++
	b.mu.Unlock()
}

// withdraw reports whether a retry is allowed at now under rb, and counts it when it is.
func (b *budget) withdraw(now time.Time, rb *policy.RetryBudget) bool {
	window := rb.Window.Duration
	if window <= 0 {
		window = DefaultBudgetWindow
	}
	window = min(window, MaxBudgetWindow)
	b.mu.Lock()
	defer b.mu.Unlock()
	reqs, rets := b.sum(now, window)
	ok := float64(rets) < rb.Percent/100*float64(reqs)
	if !ok && rb.MinRetriesPerSecond > 0 {
		_, lastSecond := b.sum(now, time.Second)
		ok = float64(lastSecond) < rb.MinRetriesPerSecond
	}
	if ok {
		b.slot(now).retries++
	}
	return ok
}

// slot returns now's slot, emptied when it held an older slot's counts.
func (b *budget) slot(now time.Time) *budgetSlotCount {
	e := now.UnixNano() / int64(budgetSlot)
	s := &b.slots[e%int64(budgetSlots)]
	if s.epoch != e {
		*s = budgetSlotCount{epoch: e}
	}
	return s
}

// sum adds the counts of the slots within span before now, now's included.
func (b *budget) sum(now time.Time, span time.Duration) (reqs, rets int64) {
	e := now.UnixNano() / int64(budgetSlot)
	n := int64((span + budgetSlot - 1) / budgetSlot)
	for i := range n {
		s := &b.slots[(e-i)%int64(budgetSlots)]
		if s.epoch == e-i {
			reqs += s.requests
			rets += s.retries
		}
	}
	return reqs, rets
}
