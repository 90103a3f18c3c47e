package proxy

import (
	"sort"
	"sync/atomic"
	"time"

	"github.com/meshlab/meshlab/mesh/adminapi"
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

// Stats returns the Registry's counters, as GET /v1/stats shows them.
func (r *Registry) Stats() adminapi.Resilience {
	r.mu.Lock()
	svcs := make([]*serviceState, 0, len(r.services))
	for _, s := range r.services {
		svcs = append(svcs, s)
	}
	r.mu.Unlock()
	now := r.now()
	st := adminapi.Resilience{Services: make(map[string]adminapi.ServiceStats, len(svcs))}
	for _, s := range svcs {
		st.Services[s.name] = s.stats(now)
	}
	return st
}

// stats returns s's counters at now.
func (s *serviceState) stats(now time.Time) adminapi.ServiceStats {
	ss := adminapi.ServiceStats{Requests: s.counts.requests.Load(), Retries: s.counts.retries.Load(),
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
