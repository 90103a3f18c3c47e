package scenarios

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Limits of a scenario's values, as Validate enforces them.
const (
	MaxReplicas = 16
	MaxRetries  = 10
	// MaxProxyWorkers bounds topology.proxyWorkers.
	MaxProxyWorkers = 64
	MaxRestartDelay = 60 * time.Second
	// MaxPropagationDelay bounds topology.propagationDelay.
	MaxPropagationDelay = 10 * time.Second
	MaxSigma            = 3.0
	MaxRate             = 100000.0 // requests per second, for every rate of a load
	maxNameLength       = 63
)

// Profiles and Distributions are the values a scenario's load profile and service-time
// distribution may take. Its backend may be any of those the program offers (the caller of
// Validate, LoadFile and Parse names them).
var (
	Profiles      = []string{"constant", "steps", "ramp"}
	Distributions = []string{"fixed", "lognormal"}
)

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// Validate checks the catalogue's header, that scenario names are unique, and every scenario,
// each of whose backend must be one of backends. Paths are relative to the document
// ("scenarios[0].load.rate"); LoadFile and Parse add file and line.
func (c *Catalog) Validate(backends []string) []Problem {
	var ps problems
	checkConst(&ps, "apiVersion", c.APIVersion, APIVersion)
	checkConst(&ps, "kind", c.Kind, Kind)
	if len(c.Scenarios) == 0 {
		ps.addf("scenarios", "required: at least one scenario")
	}
	first := map[string]int{}
	for i, s := range c.Scenarios {
		path := "scenarios" + indexSegment(i)
		if j, dup := first[s.Name]; dup && s.Name != "" {
			ps.addf(path+".name", "duplicate scenario name %q, first used by scenarios[%d]", s.Name, j)
		} else {
			first[s.Name] = i
		}
		ps.under(path, s.Validate(backends))
	}
	return ps
}

func checkConst(ps *problems, path, got, want string) {
	switch got {
	case want:
	case "":
		ps.addf(path, "required: %q", want)
	default:
		ps.addf(path, "must be %q, got %q", want, got)
	}
}

// Validate checks the scenario as it will run, that is with Default applied (to a copy: s is
// not changed), on one of backends (the names the program can run), and returns every problem,
// with paths relative to the scenario ("load.rate").
func (s *Scenario) Validate(backends []string) []Problem {
	sc := s.Clone()
	sc.Default()
	var ps problems
	switch {
	case sc.Name == "":
		ps.addf("name", "required")
	case len(sc.Name) > maxNameLength || !dnsLabel.MatchString(sc.Name):
		ps.addf("name", "must be a DNS label (lowercase letters, digits and '-', at most %d characters, "+
			"starting and ending with a letter or digit), got %q", maxNameLength, sc.Name)
	}
	if !slices.Contains(backends, sc.Backend) {
		ps.addf("backend", "backend %q is not available here%s; this build has %s",
			sc.Backend, didYouMean(sc.Backend, backends), strings.Join(backends, ", "))
	}
	if len(sc.Namespace) > maxNameLength || !dnsLabel.MatchString(sc.Namespace) {
		ps.addf("namespace", "must be a DNS label (lowercase letters, digits and '-'), got %q", sc.Namespace)
	}
	checkWarmup(&ps, sc.Warmup.Duration, sc.Load, s.Warmup.Duration == 0)
	ps.under("topology", sc.Topology.validate())
	ps.under("load", sc.Load.validate())
	ps.under("slo", sc.SLO.validate(sc.Load.Timeout.Duration))
	ps = append(ps, sc.validatePolicies()...)
	ps = append(ps, sc.validateFaults()...)
	for j, g := range sc.Gates {
		if strings.TrimSpace(g) == "" {
			ps.addf("gates"+indexSegment(j), "must not be empty: a gate is `<field> <op> <value>`")
		}
	}
	return ps
}

// checkWarmup: the warm-up is the start of the load's duration left out of every figure, so
// it must leave measured time after it. A load whose duration is invalid is reported on its own.
func checkWarmup(ps *problems, warmup time.Duration, l Load, defaulted bool) {
	got := warmup.String()
	if defaulted {
		got += " (the default)"
	}
	load, ok := l.measuredDuration()
	switch {
	case warmup < 0:
		ps.addf("warmup", "must be ≥ 0, got %s", got)
	case ok && warmup >= load:
		ps.addf("warmup", "must be shorter than load.duration (%s), got %s: no time would be measured", load, got)
	}
}

// validate checks replicas, service times, restart delay, timeout and retries.
func (t Topology) validate() []Problem {
	var ps problems
	for _, svc := range sortedKeys(t.Replicas) {
		path := joinPath("replicas", keySegment(svc))
		if n := t.Replicas[svc]; !slices.Contains(Services, svc) {
			ps.addf(path, "%s", unknownName("service", svc, Services))
		} else if n < 1 || n > MaxReplicas {
			ps.addf(path, "must be between 1 and %d, got %d", MaxReplicas, n)
		}
	}
	for _, svc := range sortedKeys(t.ServiceTime) {
		path := joinPath("serviceTime", keySegment(svc))
		if !slices.Contains(Services, svc) {
			ps.addf(path, "%s", unknownName("service", svc, Services))
			continue
		}
		ps.under(path, t.ServiceTime[svc].validate())
	}
	t.validateVersions(&ps)
	if d := t.PropagationDelay.Duration; d < 0 || d > MaxPropagationDelay {
		ps.addf("propagationDelay", "must be within 0..%s, got %s", MaxPropagationDelay, d)
	}
	switch d := t.RestartDelay.Duration; {
	case d < 0:
		ps.addf("restartDelay", "must be ≥ 0, got %s", d)
	case d > MaxRestartDelay:
		ps.addf("restartDelay", "must be at most %s, got %s", MaxRestartDelay, d)
	}
	positiveDuration(&ps, "timeout", t.Timeout.Duration)
	if r := t.Retries; r != nil && (*r < 0 || *r > MaxRetries) {
		ps.addf("retries", "must be between 0 and %d, got %d", MaxRetries, *r)
	}
	if w := t.ProxyWorkers; w != nil && (*w < 0 || *w > MaxProxyWorkers) {
		ps.addf("proxyWorkers", "must be between 0 (one per core) and %d, got %d", MaxProxyWorkers, *w)
	}
	return ps
}

// validate checks a service-time distribution and that it sets only its own parameters.
func (st ServiceTime) validate() []Problem {
	var ps problems
	switch st.Distribution {
	case "fixed":
		positiveDuration(&ps, "value", st.Value.Duration)
		notUsed(&ps, "median", st.Median.Duration != 0, "the lognormal distribution")
		notUsed(&ps, "sigma", st.Sigma != 0, "the lognormal distribution")
	case "lognormal":
		positiveDuration(&ps, "median", st.Median.Duration)
		if !(st.Sigma > 0 && st.Sigma <= MaxSigma) {
			ps.addf("sigma", "must be in (0, %s], got %s", formatNumber(MaxSigma), formatNumber(st.Sigma))
		}
		notUsed(&ps, "value", st.Value.Duration != 0, "the fixed distribution")
	case "":
		ps.addf("distribution", "required: one of %s", strings.Join(Distributions, ", "))
	default:
		ps.addf("distribution", "%s", unknownName("distribution", st.Distribution, Distributions))
	}
	return ps
}

// positiveDuration requires d > 0; a zero d reads as missing.
func positiveDuration(ps *problems, path string, d time.Duration) {
	switch {
	case d == 0:
		ps.addf(path, "required: must be > 0")
	case d < 0:
		ps.addf(path, "must be > 0, got %s", d)
	}
}

// notUsed reports a field that is set but means nothing in its context.
func notUsed(ps *problems, path string, set bool, usedBy string) {
	if set {
		ps.addf(path, "only used by %s", usedBy)
	}
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
