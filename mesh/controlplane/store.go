package controlplane

import (
	"sort"
	"sync"
)

// store holds the control plane's resources and publishes every change as a new Snapshot
// version. A published Snapshot is never mutated, so it can be shared with every watcher.
type store struct {
	mu        sync.Mutex
	first     uint64        // version of the empty snapshot this store started with
	snap      Snapshot      // the current version
	changed   chan struct{} // closed and replaced when snap is replaced
	frozen    bool          // no more changes: the server is closing
	nextLease uint64
	instances map[string]lease
}

// lease is one registration of an instance: a re-registration of the same ID takes a new lease,
// and only the holder of the current lease may change or remove the instance.
type lease struct {
	id   uint64
	inst Instance
}

func newStore(firstVersion uint64) *store {
	return &store{
		first:     firstVersion,
		snap:      Snapshot{Version: firstVersion, Services: map[string][]Instance{}},
		changed:   make(chan struct{}),
		instances: map[string]lease{},
	}
}

// current returns the current snapshot and a channel closed once it is replaced.
func (s *store) current() (Snapshot, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap, s.changed
}

// issued reports whether this store published version v.
func (s *store) issued(v uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return v >= s.first && v <= s.snap.Version
}

// put registers inst, replacing any registration with the same ID, and returns its lease.
func (s *store) put(inst Instance) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextLease++
	old, had := s.instances[inst.ID]
	s.instances[inst.ID] = lease{id: s.nextLease, inst: inst}
	if !had || !equalInstance(old.inst, inst) {
		s.commitLocked()
	}
	return s.nextLease
}

// heartbeat records a heartbeat on the lease, with a readiness update when ready is set. It
// reports whether the lease is still current (not replaced or removed), and whether the
// readiness changed.
func (s *store) heartbeat(id string, leaseID uint64, ready *bool) (current, changed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.instances[id]
	if !ok || l.id != leaseID {
		return false, false
	}
	if ready == nil || *ready == l.inst.Ready {
		return true, false
	}
	l.inst.Ready = *ready
	s.instances[id] = l
	s.commitLocked()
	return true, true
}

// remove deletes the instance if leaseID is still its current lease, and reports whether it did.
func (s *store) remove(id string, leaseID uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.instances[id]; !ok || l.id != leaseID || s.frozen {
		return false
	}
	delete(s.instances, id)
	s.commitLocked()
	return true
}

// replace makes insts the whole instance set, as an external source of truth (Kubernetes'
// EndpointSlices) sees it, and publishes a version only when something changed; every earlier
// lease is void.
func (s *store) replace(insts []Instance) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := make(map[string]lease, len(insts))
	same := len(insts) == len(s.instances)
	for _, inst := range insts {
		old, had := s.instances[inst.ID]
		same = same && had && equalInstance(old.inst, inst)
		s.nextLease++
		next[inst.ID] = lease{id: s.nextLease, inst: cloneInstance(inst)}
	}
	s.instances = next
	if !same {
		s.commitLocked()
	}
}

// freeze stops publishing: a closing server must not show its watchers instances leaving.
func (s *store) freeze() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.frozen = true
}

// commitLocked publishes the resources as the next version and wakes the watchers.
func (s *store) commitLocked() {
	if s.frozen {
		return
	}
	s.snap = Snapshot{Version: s.snap.Version + 1, Services: s.servicesLocked(),
		Policy: s.snap.Policy, PolicyVersion: s.snap.PolicyVersion}
	close(s.changed)
	s.changed = make(chan struct{})
}

// servicesLocked lists the ready instances by service, each list sorted by ID.
func (s *store) servicesLocked() map[string][]Instance {
	services := map[string][]Instance{}
	for _, l := range s.instances {
		if l.inst.Ready {
			services[l.inst.Service] = append(services[l.inst.Service], cloneInstance(l.inst))
		}
	}
	for _, list := range services {
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	}
	return services
}
