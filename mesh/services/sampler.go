package services

import (
	"context"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/meshlab/meshlab/internal/sleep"
)

// maxDraw caps a single work-time draw, so an extreme lognormal tail cannot overflow a Duration.
const maxDraw = time.Hour

// sampler draws work times from a WorkTime. Its PCG is seeded from the run's seed and the
// instance name, so an instance's sequence of draws is the same on every run, and two
// instances of one service draw differently.
type sampler struct {
	w   WorkTime
	mu  sync.Mutex // guards rng
	rng *rand.Rand
}

func newSampler(w WorkTime, seed uint64, instance string) *sampler {
	h := fnv.New64a()
	h.Write([]byte(instance))
	return &sampler{w: w, rng: rand.New(rand.NewPCG(mix64(seed), mix64(h.Sum64())))}
}

// draw returns the next work time.
func (s *sampler) draw() time.Duration {
	if s.w.Median == 0 {
		return s.w.Fixed
	}
	s.mu.Lock()
	z := s.rng.NormFloat64()
	s.mu.Unlock()
	d := float64(s.w.Median) * math.Exp(s.w.Sigma*z)
	if d >= float64(maxDraw) {
		return maxDraw
	}
	return time.Duration(d)
}

// sleep waits one draw, or until ctx is done; it reports whether the full time passed.
func (s *sampler) sleep(ctx context.Context) bool {
	return sleep.For(ctx, s.draw())
}

// mix64 is SplitMix64's finaliser: neighbouring seeds give unrelated PCG states.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
