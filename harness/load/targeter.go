package load

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync/atomic"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/scenarios"
)

// ErrInvalidMix is returned (by Attack, or by every call of a targeter from NewTargeter) for a
// route mix that names an unknown route or has no positive weight.
var ErrInvalidMix = errors.New("invalid route mix")

// NewTargeter returns a targeter that draws a route of mix by weight on each call (mix empty:
// scenarios.DefaultMix) and builds a realistic request for it against gatewayURL, as
// mesh/services documents them: user ids 1..1000, product ids 1..10000, lists of 10..50,
// orders of 1–3 items, payments with a unique Idempotency-Key.
//
// The k-th call's request is a pure function of seed and k: each call draws from its own PCG
// seeded by both, and calls are numbered atomically, so the targeter is safe for the concurrent
// use vegeta's workers make of it. A mix it cannot use makes every call fail with ErrInvalidMix,
// which stops a vegeta attack at once.
func NewTargeter(gatewayURL string, mix []scenarios.RouteWeight, seed uint64) vegeta.Targeter {
	tr, err := newTargeter(gatewayURL, mix, seed)
	if err != nil {
		return func(*vegeta.Target) error { return err }
	}
	return tr
}

func newTargeter(gatewayURL string, mix []scenarios.RouteWeight, seed uint64) (vegeta.Targeter, error) {
	if len(mix) == 0 {
		mix = scenarios.DefaultMix
	}
	var (
		cum   []float64 // cumulative weights of the routes drawn from
		build []builder
		total float64
	)
	for _, rw := range mix {
		b, ok := builders[rw.Route]
		switch {
		case !ok:
			return nil, fmt.Errorf("%w: unknown route %q", ErrInvalidMix, rw.Route)
		case rw.Weight < 0 || math.IsNaN(rw.Weight) || math.IsInf(rw.Weight, 0):
			return nil, fmt.Errorf("%w: route %q: weight %g", ErrInvalidMix, rw.Route, rw.Weight)
		case rw.Weight == 0:
			continue
		}
		total += rw.Weight
		cum = append(cum, total)
		build = append(build, b)
	}
	if total <= 0 {
		return nil, fmt.Errorf("%w: no route has a positive weight", ErrInvalidMix)
	}

	base := strings.TrimSuffix(gatewayURL, "/")
	var calls atomic.Uint64
	return func(t *vegeta.Target) error {
		if t == nil {
			return vegeta.ErrNilTarget
		}
		k := calls.Add(1) - 1
		c := &call{base: base, seed: seed, k: k, rng: rand.New(rand.NewPCG(mix64(seed), mix64(^k)))}
		x := c.rng.Float64() * total
		i := 0
		for i < len(cum)-1 && x >= cum[i] {
			i++
		}
		*t = vegeta.Target{}
		return build[i](c, t)
	}, nil
}

// mix64 is SplitMix64's finaliser: neighbouring seeds and call indexes give unrelated PCGs.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
