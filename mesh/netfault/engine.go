package netfault

import (
	"log/slog"
	"net/netip"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
)

// Engine shapes the egress of one process by its current rules. It is safe for concurrent use.
type Engine struct {
	log  *slog.Logger
	seed uint64
	set  atomic.Pointer[ruleSet]

	mu      sync.Mutex // guards the fields below and serializes Set
	changed chan struct{}
	counts  map[string]*counters // by rule name, kept after a rule goes
	order   []string
}

// ruleSet is one immutable generation of rules.
type ruleSet struct {
	rules []*ruleState
}

// NewEngine returns an engine without rules; seed makes its random draws reproducible.
func NewEngine(log *slog.Logger, seed uint64) *Engine {
	e := &Engine{log: log, seed: seed, changed: make(chan struct{}), counts: map[string]*counters{}}
	e.set.Store(&ruleSet{})
	return e
}

// Set replaces every rule at once; an empty list removes all. A rule equal to a current one of
// the same name keeps its state (correlation, bucket), so Set is idempotent. Nothing changes
// when a rule is invalid or two share a name.
func (e *Engine) Set(rules []Rule) error {
	if err := validateAll(rules); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	old := map[string]*ruleState{}
	for _, s := range e.set.Load().rules {
		old[s.Name] = s
	}
	next := &ruleSet{}
	now := time.Now()
	for _, r := range rules {
		if s, ok := old[r.Name]; ok && reflect.DeepEqual(s.Rule, r) {
			next.rules = append(next.rules, s)
			continue
		}
		next.rules = append(next.rules, newRuleState(r, e.seed, e.counter(r.Name), now))
	}
	e.set.Store(next)
	close(e.changed)
	e.changed = make(chan struct{})
	names := make([]string, 0, len(rules))
	for _, r := range rules {
		names = append(names, r.Name)
	}
	e.log.Info("network faults set", "rules", names)
	return nil
}

func validateAll(rules []Rule) error {
	seen := map[string]bool{}
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			return err
		}
		if seen[r.Name] {
			return &duplicateError{name: r.Name}
		}
		seen[r.Name] = true
	}
	return nil
}

type duplicateError struct{ name string }

func (d *duplicateError) Error() string { return "rule " + d.name + " is set twice" }

// counter returns the counters of name, creating them; e.mu held.
func (e *Engine) counter(name string) *counters {
	c, ok := e.counts[name]
	if !ok {
		c = &counters{}
		e.counts[name] = c
		e.order = append(e.order, name)
	}
	return c
}

// Rules returns the current rules.
func (e *Engine) Rules() []Rule {
	set := e.set.Load()
	out := make([]Rule, 0, len(set.rules))
	for _, s := range set.rules {
		out = append(out, s.Rule)
	}
	return out
}

// watch returns a channel closed at the next Set.
func (e *Engine) watch() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.changed
}

// empty reports whether no rule is set.
func (s *ruleSet) empty() bool { return len(s.rules) == 0 }

// match returns the rules that apply to peer.
func (s *ruleSet) match(peer netip.Addr) []*ruleState {
	var out []*ruleState
	for _, r := range s.rules {
		if r.matches(peer) {
			out = append(out, r)
		}
	}
	return out
}

// partition returns the first partition rule on peer, or nil.
func (s *ruleSet) partition(peer netip.Addr) *ruleState {
	for _, r := range s.rules {
		if r.Partition && r.matches(peer) {
			return r
		}
	}
	return nil
}
