package faults

import (
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/meshlab/meshlab/mesh/proxy"
)

// Engine applies a set of HTTPChaos rules to the requests of a chain (Middleware) and the
// answers they get. Set swaps the rules at once: the next request sees them, on a new or a
// kept-alive connection alike (Chaos Mesh spares kept-alive connections; meshlab does not).
type Engine struct {
	// Port is the logical service port the rules' Port is matched against (8080 for every
	// service, as on kind); 0: rules of every port apply.
	Port int32
	// Logger receives rule changes; nil discards.
	Logger *slog.Logger

	rules atomic.Pointer[ruleSet]
	mu    sync.Mutex          // orders Set; guards hits
	hits  map[string]*counter // by rule name, kept across Sets
}

// counter counts a rule's applications.
type counter struct{ atomic.Uint64 }

// ruleSet is the rules in force, split by target, in their order.
type ruleSet struct {
	src       []HTTPRule
	req, resp []*compiled
}

// Set validates rules and puts them in force, replacing the previous ones; nil or empty
// removes every rule. Setting the rules in force again changes nothing. On error nothing
// changes.
func (e *Engine) Set(rules []HTTPRule) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cur := e.rules.Load(); cur != nil && reflect.DeepEqual(cur.src, rules) ||
		cur == nil && len(rules) == 0 {
		return nil
	}
	if e.hits == nil {
		e.hits = map[string]*counter{}
	}
	rs := &ruleSet{src: slices.Clone(rules)}
	for i, r := range rules {
		if r.Name == "" {
			r.Name = fmt.Sprintf("rule-%d", i)
		}
		c, err := compile(r)
		if err != nil {
			return fmt.Errorf("httpchaos rule %q: %w", r.Name, err)
		}
		if c.hits = e.hits[r.Name]; c.hits == nil {
			c.hits = &counter{}
			e.hits[r.Name] = c.hits
		}
		if r.Target == TargetRequest {
			rs.req = append(rs.req, c)
		} else {
			rs.resp = append(rs.resp, c)
		}
	}
	e.rules.Store(rs)
	e.logger().Info("httpchaos rules set", "rules", len(rules))
	return nil
}

// Rules returns the rules in force.
func (e *Engine) Rules() []HTTPRule {
	if rs := e.rules.Load(); rs != nil {
		return slices.Clone(rs.src)
	}
	return nil
}

// Stats returns how many times each rule (by name) was applied, rules removed since included.
func (e *Engine) Stats() map[string]uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]uint64, len(e.hits))
	for name, c := range maps.All(e.hits) {
		out[name] = c.Load()
	}
	return out
}

// Middleware is the engine as a proxy.Middleware: Request rules before next, Response rules
// on its answer. An abort returns ErrAbortConnection (see Abortable).
func (e *Engine) Middleware(next http.RoundTripper) http.RoundTripper {
	return proxy.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		rs := e.rules.Load()
		if rs == nil || len(rs.req)+len(rs.resp) == 0 {
			return next.RoundTrip(r)
		}
		return e.roundTrip(rs, next, r)
	})
}

func (e *Engine) roundTrip(rs *ruleSet, next http.RoundTripper, r *http.Request) (*http.Response, error) {
	cloned := false
	for _, c := range rs.req {
		if !c.matchRequest(r, e.Port) {
			continue
		}
		if !cloned { // the chain may send r again (retries): change a copy
			r, cloned = r.Clone(r.Context()), true
		}
		c.hits.Add(1)
		if err := c.applyRequest(r); err != nil {
			return nil, failed(r, err)
		}
	}
	resp, err := next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	for _, c := range rs.resp {
		if !c.matchRequest(r, e.Port) || !c.matchResponse(resp) {
			continue
		}
		c.hits.Add(1)
		if err := c.applyResponse(r, resp); err != nil {
			resp.Body.Close()
			return nil, failed(r, err)
		}
	}
	return resp, nil
}

// failed tells r's Abortable handler when err is an abort, and returns err.
func failed(r *http.Request, err error) error {
	if errorsIsAbort(err) {
		markAborted(r)
	}
	return err
}

func (e *Engine) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}

var _ proxy.Middleware = (*Engine)(nil).Middleware
