package scenarios

import (
	"slices"
	"strings"
	"time"
)

// validate checks the load's profile and its parameters, the client timeout and the mix.
// Parameters of another profile are errors, as they were most likely meant for it.
func (l Load) validate() []Problem {
	var ps problems
	switch l.Profile {
	case "constant":
		checkRate(&ps, "rate", l.Rate, true)
		positiveDuration(&ps, "duration", l.Duration.Duration)
		notUsed(&ps, "to", l.To != 0, "the ramp profile")
		notUsed(&ps, "steps", len(l.Steps) > 0, "the steps profile")
	case "ramp":
		checkRate(&ps, "rate", l.Rate, false)
		checkRate(&ps, "to", l.To, true)
		positiveDuration(&ps, "duration", l.Duration.Duration)
		notUsed(&ps, "steps", len(l.Steps) > 0, "the steps profile")
	case "steps":
		notUsed(&ps, "rate", l.Rate != 0, "the constant and ramp profiles (give each step its rate)")
		notUsed(&ps, "to", l.To != 0, "the ramp profile")
		l.validateSteps(&ps)
	default:
		ps.addf("profile", "%s", unknownName("profile", l.Profile, Profiles))
	}
	positiveDuration(&ps, "timeout", l.Timeout.Duration)
	validateMix(&ps, l.Mix)
	return ps
}

// measuredDuration is the load's duration, and whether it is valid, so that checks against it
// (the warm-up) are made only when it is.
func (l Load) measuredDuration() (time.Duration, bool) {
	d := l.Duration.Duration
	if l.Profile != "steps" {
		return d, d > 0
	}
	for _, st := range l.Steps {
		if st.Duration.Duration <= 0 {
			return d, false
		}
	}
	return d, len(l.Steps) > 0 && d == stepsDuration(l.Steps)
}

// validateSteps checks each step and that load.duration, when given, is their sum.
func (l Load) validateSteps(ps *problems) {
	if len(l.Steps) == 0 {
		ps.addf("steps", "required: at least one step for the steps profile")
		return
	}
	valid := true
	for i, st := range l.Steps {
		path := "steps" + indexSegment(i)
		n := len(*ps)
		checkRate(ps, path+".rate", st.Rate, true)
		positiveDuration(ps, path+".duration", st.Duration.Duration)
		valid = valid && len(*ps) == n
	}
	if sum := stepsDuration(l.Steps); valid && l.Duration.Duration != sum {
		ps.addf("duration", "must equal the sum of the steps (%s), got %s; leave it out to default to the sum",
			sum, l.Duration.Duration)
	}
}

// checkRate checks a rate in requests per second: > 0 (or ≥ 0 when zero is allowed), and at
// most MaxRate.
func checkRate(ps *problems, path string, rate float64, positive bool) {
	switch {
	case positive && rate == 0:
		ps.addf(path, "required: must be > 0 (requests per second)")
	case positive && !(rate > 0):
		ps.addf(path, "must be > 0, got %s", formatNumber(rate))
	case !(rate >= 0):
		ps.addf(path, "must be ≥ 0, got %s", formatNumber(rate))
	case rate > MaxRate:
		ps.addf(path, "must be at most %s requests per second, got %s", formatNumber(MaxRate), formatNumber(rate))
	}
}

// validateMix checks that every route is known, appears once and has a positive weight.
func validateMix(ps *problems, mix []RouteWeight) {
	first := map[string]int{}
	for i, rw := range mix {
		path := "mix" + indexSegment(i)
		switch j, dup := first[rw.Route]; {
		case rw.Route == "":
			ps.addf(path+".route", "required: one of %s", strings.Join(Routes, ", "))
		case !slices.Contains(Routes, rw.Route):
			ps.addf(path+".route", "%s", unknownName("route", rw.Route, Routes))
		case dup:
			ps.addf(path+".route", "duplicate route %q, first at mix[%d]", rw.Route, j)
		default:
			first[rw.Route] = i
		}
		switch w := rw.Weight; {
		case w == 0:
			ps.addf(path+".weight", "required: must be > 0")
		case !(w > 0):
			ps.addf(path+".weight", "must be > 0, got %s", formatNumber(w))
		}
	}
}

// validate checks the objectives and the latency threshold, which must be below the client
// timeout: a request slower than that is never answered, so the objective could not be missed
// by slowness.
func (s SLO) validate(loadTimeout time.Duration) []Problem {
	var ps problems
	if a := s.Availability; a != nil {
		checkObjective(&ps, "availability.objective", a.Objective)
	}
	if l := s.Latency; l != nil {
		positiveDuration(&ps, "latency.threshold", l.Threshold.Duration)
		if th := l.Threshold.Duration; loadTimeout > 0 && th >= loadTimeout {
			ps.addf("latency.threshold", "must be shorter than load.timeout (%s), got %s", loadTimeout, th)
		}
		checkObjective(&ps, "latency.objective", l.Objective)
	}
	return ps
}

// checkObjective requires a percentage strictly between 0 and 100: 100% leaves no error budget.
func checkObjective(ps *problems, path string, p Percent) {
	switch v := p.Value; {
	case v == 0:
		ps.addf(path, "required: a percentage between 0%% and 100%% (exclusive), like 99.9%%")
	case !(v > 0 && v < 100):
		ps.addf(path, "must be between 0%% and 100%% (exclusive), got %s", p)
	}
}
