package netfault

import (
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"time"
)

// ruleState is a rule with what netem keeps between packets: the correlated fields, one random
// source and the token bucket, plus the counters of its name.
type ruleState struct {
	Rule
	count *counters
	bw    *bucket // nil without Bandwidth

	mu                        sync.Mutex // guards rng and the fields below
	rng                       *rand.Rand
	delay, loss, corrupt, dup corr
}

func newRuleState(r Rule, seed uint64, count *counters, now time.Time) *ruleState {
	h := fnv.New64a()
	h.Write([]byte(r.Name))
	s := &ruleState{Rule: r, count: count, rng: rand.New(rand.NewPCG(seed, h.Sum64()))}
	if r.Delay != nil {
		s.delay = newCorr(r.Delay.Correlation)
	}
	s.loss, s.corrupt, s.dup = probCorr(r.Loss), probCorr(r.Corrupt), probCorr(r.Duplicate)
	if r.Bandwidth != nil {
		s.bw = newBucket(*r.Bandwidth, now)
	}
	return s
}

func probCorr(p *Prob) corr {
	if p == nil {
		return corr{}
	}
	return newCorr(p.Correlation)
}

// drawDelay is netem's delay for one packet: L − J + R·2J.
func (s *ruleState) drawDelay() time.Duration {
	d := s.Delay
	if d == nil {
		return 0
	}
	if d.Jitter <= 0 {
		return d.Latency
	}
	s.mu.Lock()
	r := s.delay.next(s.rng)
	s.mu.Unlock()
	return max(0, d.Latency-d.Jitter+time.Duration(r*float64(2*d.Jitter)))
}

// drawLost reports whether a transmission is lost or corrupted (the receiver drops it).
func (s *ruleState) drawLost() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Loss != nil && s.loss.fires(s.rng, s.Loss.Percent) {
		s.count.lost.Add(1)
		return true
	}
	if s.Corrupt != nil && s.corrupt.fires(s.rng, s.Corrupt.Percent) {
		s.count.corrupted.Add(1)
		return true
	}
	return false
}

// drawDuplicate counts n duplicated bytes when a duplicate fires.
func (s *ruleState) drawDuplicate(n int) {
	if s.Duplicate == nil {
		return
	}
	s.mu.Lock()
	fired := s.dup.fires(s.rng, s.Duplicate.Percent)
	s.mu.Unlock()
	if fired {
		s.count.duplicated.Add(int64(n))
	}
}

// lossy reports whether the rule loses transmissions at all.
func (s *ruleState) lossy() bool { return s.Loss != nil || s.Corrupt != nil }
