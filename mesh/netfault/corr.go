package netfault

import "math/rand/v2"

// corr is one netem correlated random field: R = (1−ρ)·U + ρ·last, then last = R. The mean is
// kept and the variance shrinks by (1−ρ)/(1+ρ). Values are on [0, 1) instead of 32 bits.
type corr struct {
	rho  float64 // 0–1
	last float64
}

func newCorr(correlation float64) corr { return corr{rho: correlation / 100} }

// next draws the next value from rng.
func (c *corr) next(rng *rand.Rand) float64 {
	u := rng.Float64()
	if c.rho == 0 {
		return u
	}
	c.last = (1-c.rho)*u + c.rho*c.last
	return c.last
}

// fires draws an event of probability percent (0–100), netem style: it fires when p ≥ R.
func (c *corr) fires(rng *rand.Rand, percent float64) bool {
	return c.next(rng) < percent/100
}
