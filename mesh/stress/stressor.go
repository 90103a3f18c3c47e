package stress

import (
	"log/slog"
	"math"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Stressor runs at most one Spec at a time inside the calling process. It is safe for
// concurrent use.
type Stressor struct {
	log *slog.Logger
	now func() time.Time

	mu  sync.Mutex
	cur *run // nil when nothing runs
}

// run is one applied Spec and its workers.
type run struct {
	spec  Spec
	plan  plan
	since time.Time
	stop  chan struct{}
	wg    sync.WaitGroup
	held  atomic.Int64
	sink  atomic.Uint64
}

// Status is what a Stressor runs now.
type Status struct {
	// Running is false when nothing runs; the other fields are then zero.
	Running bool  `json:"running"`
	Spec    *Spec `json:"spec,omitempty"`
	// CPUWorkers and CPULoad are the CPU workers and the percent of one CPU each burns.
	CPUWorkers int `json:"cpuWorkers"`
	CPULoad    int `json:"cpuLoad"`
	// MemoryWorkers share BytesWanted; BytesHeld is how much of it is resident so far.
	MemoryWorkers int       `json:"memoryWorkers"`
	BytesWanted   int64     `json:"bytesWanted"`
	BytesHeld     int64     `json:"bytesHeld"`
	Since         time.Time `json:"since,omitzero"`
}

// New returns an idle Stressor logging to log (nil discards).
func New(log *slog.Logger) *Stressor {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Stressor{log: log, now: time.Now}
}

// Apply validates spec and makes it what runs, stopping whatever ran before. Applying the spec
// that already runs changes nothing (its workers and Since stay). A spec that asks for no
// workers leaves nothing running.
func (s *Stressor) Apply(spec Spec) error {
	p, err := spec.resolve(ParseSize, memTotal)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil && s.cur.plan == p {
		s.cur.spec = spec
		return nil
	}
	s.stopLocked()
	if p.active() {
		s.cur = s.start(spec, p)
	}
	return nil
}

// Stop is recovery: it stops every worker, waits for them and returns their memory to the
// operating system. Stopping an idle Stressor does nothing.
func (s *Stressor) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked()
}

// Status reports what runs now.
func (s *Stressor) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.cur
	if r == nil {
		return Status{}
	}
	spec := r.spec
	return Status{
		Running: true, Spec: &spec,
		CPUWorkers: r.plan.cpuWorkers, CPULoad: r.plan.load,
		MemoryWorkers: r.plan.memWorkers, BytesWanted: r.plan.perWorker * int64(r.plan.memWorkers),
		BytesHeld: r.held.Load(), Since: r.since,
	}
}

func (s *Stressor) start(spec Spec, p plan) *run {
	r := &run{spec: spec, plan: p, since: s.now(), stop: make(chan struct{})}
	if p.load > 0 {
		for range p.cpuWorkers {
			r.wg.Go(func() { r.sink.Store(math.Float64bits(burn(r.stop, p.load))) })
		}
	}
	for range p.memWorkers {
		r.wg.Go(func() { hold(r.stop, p.perWorker, &r.held, s.log) })
	}
	s.log.Info("stress started", "cpuWorkers", p.cpuWorkers, "cpuLoad", p.load,
		"memoryWorkers", p.memWorkers, "bytesPerWorker", p.perWorker)
	return r
}

func (s *Stressor) stopLocked() {
	r := s.cur
	if r == nil {
		return
	}
	s.cur = nil
	close(r.stop)
	r.wg.Wait()
	debug.FreeOSMemory()
	s.log.Info("stress stopped", "ran", s.now().Sub(r.since))
}
