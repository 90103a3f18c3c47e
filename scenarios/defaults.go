package scenarios

import (
	"cmp"
	"slices"
	"time"
)

// Defaults of a scenario's optional fields, as Default fills them.
const (
	DefaultBackend      = "local"
	DefaultSeed         = 1
	DefaultNamespace    = "default"
	DefaultWarmup       = 2 * time.Second
	DefaultRestartDelay = time.Second
	DefaultTimeout      = 5 * time.Second // topology.timeout: the sidecars' per-route timeout
	DefaultRetries      = 1
	DefaultProxyWorkers = 1
	DefaultProfile      = "constant"
	DefaultLoadTimeout  = 10 * time.Second // load.timeout: the client's timeout per request
)

// Default fills the defaults of every scenario of the catalogue.
func (c *Catalog) Default() {
	for i := range c.Scenarios {
		c.Scenarios[i].Default()
	}
}

// Default fills what the scenario leaves out with the documented defaults. It is idempotent
// and only fills zero values, so a bad value stays for Validate to report.
func (s *Scenario) Default() {
	s.Backend = cmp.Or(s.Backend, DefaultBackend)
	s.Seed = cmp.Or(s.Seed, DefaultSeed)
	s.Namespace = cmp.Or(s.Namespace, DefaultNamespace)
	defaultDuration(&s.Warmup, DefaultWarmup)
	s.Topology.Default()
	s.Load.Default()
}

// Default gives every service its replica count (DefaultReplicas when absent), and fills the
// restart delay, timeout, retries and proxy workers. Service times have no default: a service without one
// does no extra work.
func (t *Topology) Default() {
	for _, svc := range Services {
		if _, ok := t.Replicas[svc]; !ok {
			t.Replicas = withDefaultReplicas(t.Replicas)
			break
		}
	}
	defaultDuration(&t.RestartDelay, DefaultRestartDelay)
	defaultDuration(&t.Timeout, DefaultTimeout)
	if t.Retries == nil {
		r := DefaultRetries
		t.Retries = &r
	}
	if t.ProxyWorkers == nil {
		w := DefaultProxyWorkers
		t.ProxyWorkers = &w
	}
}

// withDefaultReplicas is a new map (the old one may be shared) holding the given counts and
// DefaultReplicas for the services they leave out.
func withDefaultReplicas(given map[string]int) map[string]int {
	m := make(map[string]int, len(DefaultReplicas)+len(given))
	for svc, n := range DefaultReplicas {
		m[svc] = n
	}
	for svc, n := range given {
		m[svc] = n
	}
	return m
}

// Default fills the profile (constant), the duration of a steps profile (the sum of its
// steps), the mix (a copy of DefaultMix) and the client timeout.
func (l *Load) Default() {
	l.Profile = cmp.Or(l.Profile, DefaultProfile)
	if l.Profile == "steps" && l.Duration.Duration == 0 {
		l.Duration.Duration = stepsDuration(l.Steps)
	}
	if len(l.Mix) == 0 {
		l.Mix = slices.Clone(DefaultMix)
	}
	defaultDuration(&l.Timeout, DefaultLoadTimeout)
}

// stepsDuration is the total duration of a list of steps.
func stepsDuration(steps []Step) time.Duration {
	var total time.Duration
	for _, st := range steps {
		total += st.Duration.Duration
	}
	return total
}

func defaultDuration(d *Duration, def time.Duration) {
	if d.Duration == 0 {
		d.Duration = def
	}
}
