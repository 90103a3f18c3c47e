package sidecar

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// ReasonAuthzDenied is the X-Meshlab-Reason of a request authorization refused (403).
const ReasonAuthzDenied = "authz-denied"

// Authz authorizes inbound requests to Service by the policy's rules: the first rule that
// matches the caller (PeerOf), the path and the method decides; none: the policy's Default
// (ALLOW when empty). A nil policy allows everything.
type Authz struct {
	// Service is the destination this sidecar fronts; rules with another To are skipped.
	Service string
	// Policy returns the current authorization policy (hot swap); nil func or nil result: allow.
	Policy func() *policy.Authorization

	denied atomic.Uint64
}

// Denied counts the requests refused.
func (a *Authz) Denied() uint64 { return a.denied.Load() }

// Wrap returns next guarded by a: a denied request gets 403 with a JSON error and
// X-Meshlab-Reason: authz-denied, and never reaches next.
func (a *Authz) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := PeerOf(r)
		if a.Allowed(p, r.Method, r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		a.denied.Add(1)
		who := p.ID
		if who == "" {
			who = "an unauthenticated caller"
		}
		proxy.WriteError(w, http.StatusForbidden, ReasonAuthzDenied,
			fmt.Sprintf("%s may not %s %s on %s", who, r.Method, r.URL.Path, a.Service))
	})
}

// Middleware is Wrap as an inbound proxy.Middleware (Config.Inbound): a denied request fails
// with a *proxy.Error (403, authz-denied) before it reaches the app. The caller comes from the
// context TLSConnContext prepared.
func (a *Authz) Middleware() proxy.Middleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			p := PeerOf(r)
			if a.Allowed(p, r.Method, r.URL.Path) {
				return next.RoundTrip(r)
			}
			a.denied.Add(1)
			return nil, &proxy.Error{Status: http.StatusForbidden, Reason: ReasonAuthzDenied,
				Err: fmt.Errorf("%s may not %s %s on %s", p.ID, r.Method, r.URL.Path, a.Service)}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Allowed decides whether caller p may call method path on a.Service.
func (a *Authz) Allowed(p Peer, method, path string) bool {
	if a.Policy == nil {
		return true
	}
	pol := a.Policy()
	if pol == nil {
		return true
	}
	for i := range pol.Rules {
		rule := &pol.Rules[i]
		if a.matches(rule, p, method, path) {
			return !strings.EqualFold(rule.Action, policy.Deny)
		}
	}
	return !strings.EqualFold(pol.Default, policy.Deny)
}

func (a *Authz) matches(rule *policy.AuthRule, p Peer, method, path string) bool {
	if rule.To != "" && rule.To != "*" && rule.To != a.Service {
		return false
	}
	return matchFrom(rule.From, p) && matchAny(rule.Paths, path, globMatch) &&
		matchAny(rule.Methods, method, strings.EqualFold)
}

// matchFrom matches a caller against From: SPIFFE IDs by the whole ID, other entries by the
// service name, "*" anyone; empty From matches everyone.
func matchFrom(from []string, p Peer) bool {
	if len(from) == 0 {
		return true
	}
	for _, f := range from {
		switch {
		case f == "*":
			return true
		case strings.HasPrefix(f, "spiffe://"):
			if p.ID != "" && f == p.ID {
				return true
			}
		case p.Service != "" && f == p.Service:
			return true
		}
	}
	return false
}

// matchAny reports whether any pattern matches s; no patterns match everything.
func matchAny(patterns []string, s string, match func(pattern, s string) bool) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, pat := range patterns {
		if match(pat, s) {
			return true
		}
	}
	return false
}

// globMatch matches s against pattern, where each "*" stands for any run of characters
// ("/" included): "/users/*", "*/admin", "*".
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}
