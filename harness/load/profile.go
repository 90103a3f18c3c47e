package load

import (
	"errors"
	"fmt"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/scenarios"
)

// Profile names of scenarios.Load.Profile.
const (
	ProfileConstant = "constant"
	ProfileSteps    = "steps"
	ProfileRamp     = "ramp"
)

// ErrInvalidProfile is returned by NewProfile for a load it cannot schedule.
var ErrInvalidProfile = errors.New("invalid load profile")

// Profile is a vegeta.Pacer whose schedule is a pure function of the hit index: hit n (0-based)
// is due At(n) after the start of the attack, whatever happened to the hits before it.
//
// Pace(elapsed, hits) returns At(hits) − elapsed (0 when behind) and stops once At(hits) reaches
// Duration. Rate(elapsed) is the instantaneous rate in hits per second, 0 outside the schedule.
type Profile interface {
	vegeta.Pacer
	// At is the intended send offset of hit n from the start of the attack. It is
	// non-decreasing in n; for n ≥ Total it is at least Duration.
	At(n uint64) time.Duration
	// Hits is the expected cumulative number of hits by t, clamped to [0, Duration]: the
	// inverse of At within the schedule.
	Hits(t time.Duration) float64
	// Duration is the length of the schedule.
	Duration() time.Duration
	// Total is the number of hits the whole schedule calls for: those with At(n) < Duration.
	Total() uint64
}

// NewProfile returns the schedule of l: "constant" (the default) at l.Rate for l.Duration,
// "steps" at each step's rate for its duration in turn, or "ramp" linearly from l.Rate to l.To
// over l.Duration.
func NewProfile(l scenarios.Load) (Profile, error) {
	name, segs := l.Profile, []segment(nil)
	switch name {
	case "", ProfileConstant:
		name = ProfileConstant
		segs = []segment{{from: l.Rate, to: l.Rate, dur: l.Duration.Duration}}
	case ProfileRamp:
		segs = []segment{{from: l.Rate, to: l.To, dur: l.Duration.Duration}}
	case ProfileSteps:
		if len(l.Steps) == 0 {
			return nil, fmt.Errorf("%w: steps profile without steps", ErrInvalidProfile)
		}
		for _, s := range l.Steps {
			segs = append(segs, segment{from: s.Rate, to: s.Rate, dur: s.Duration.Duration})
		}
	default:
		return nil, fmt.Errorf("%w: unknown profile %q", ErrInvalidProfile, l.Profile)
	}
	sc, err := newSchedule(name, segs)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidProfile, name, err)
	}
	return sc, nil
}
