package proxy

import (
	"sort"
	"sync/atomic"
	"time"
)

// Overflow limits, the values of OverflowHeader.
const (
	OverflowMaxRequests    = "max-requests"
	OverflowMaxPending     = "max-pending"
	OverflowMaxConnections = "max-connections"
)

// counters are a service's resilience counts.
type counters struct {
	requests, retries, exhausted atomic.Uint64
	overflow                     [3]atomic.Uint64 // by overflowKinds
}

var overflowKinds = [3]string{OverflowMaxRequests, OverflowMaxPending, OverflowMaxConnections}

// Stats is a snapshot of a Registry's counters, per destination service.
type Stats struct {
	Services map[string]ServiceStats `json:"services"`
}

// ServiceStats are one destination's counters since the Registry was made.
type ServiceStats struct {
	// Requests counts requests under a retry policy; Retries the tries after their first.
	Requests uint64 `json:"requests"`
	Retries  uint64 `json:"retries"`
	// BudgetExhausted counts retries refused by the retry budget.
	BudgetExhausted uint64 `json:"budgetExhausted"`
	// Overflows counts requests failed by the circuit breaker, by limit (OverflowMaxRequests…).
	Overflows map[string]uint64 `json:"overflows,omitempty"`
	// Ejections lists outlier ejections, oldest first (the last MaxEjectionEvents).
	Ejections []Ejection `json:"ejections,omitempty"`
	// EjectionsTotal counts every ejection.
	EjectionsTotal uint64 `json:"ejectionsTotal"`
	// Ejected lists the endpoints ejected now, by ID.
	Ejected []string `json:"ejected,omitempty"`
}

// Ejection is one outlier ejection of an endpoint.
type Ejection struct {
	Endpoint string        `json:"endpoint"`
	At       time.Time     `json:"at"`
	Until    time.Time     `json:"until"`    // when it returns (on an Interval tick)
	Duration time.Duration `json:"duration"` // BaseEjectionTime × Count
	Count    int           `json:"count"`    // the multiplier: ejections in a row (see Registry)
	Reason   string        `json:"reason"`   // "consecutive-5xx" or "consecutive-gateway-errors"
}

// Stats returns the Registry's counters.
func (r *Registry) Stats() Stats {
	r.mu.Lock()
	svcs := make([]*serviceState, 0, len(r.services))
	for _, s := range r.services {
		svcs = append(svcs, s)
	}
	r.mu.Unlock()
	now := r.now()
	st := Stats{Services: make(map[string]ServiceStats, len(svcs))}
	for _, s := range svcs {
		st.Services[s.name] = s.stats(now)
	}
	return st
}

// stats returns s's counters at now.
func (s *serviceState) stats(now time.Time) ServiceStats {
	ss := ServiceStats{Requests: s.counts.requests.Load(), Retries: s.counts.retries.Load(),
		BudgetExhausted: s.counts.exhausted.Load()}
	for i, k := range overflowKinds {
		if n := s.counts.overflow[i].Load(); n > 0 {
			if ss.Overflows == nil {
				ss.Overflows = map[string]uint64{}
			}
			ss.Overflows[k] = n
		}
	}
	ss.Ejections, ss.EjectionsTotal, ss.Ejected = s.outlier.snapshot(now)
	sort.Strings(ss.Ejected)
	return ss
}
