package policy

import (
	"fmt"
	"strconv"
)

// MaxAttempts bounds RetryPolicy.Attempts.
const MaxAttempts = 10

// retryOn are the RetryOn conditions besides bare status codes.
var retryOn = map[string]bool{
	"5xx": true, "gateway-error": true, "reset": true, "connect-failure": true, "retriable-status-codes": true,
}

func (v *validator) retries(path string, r *RetryPolicy) {
	if r == nil {
		return
	}
	if r.Attempts < 0 || r.Attempts > MaxAttempts {
		v.addf(path+".attempts", "must be 0..%d, got %d", MaxAttempts, r.Attempts)
	}
	v.duration(path+".perTryTimeout", r.PerTryTimeout)
	for i, c := range r.RetryOn {
		if retryOn[c] {
			continue
		}
		if n, err := strconv.Atoi(c); err != nil || n < 100 || n > 599 {
			v.addf(fmt.Sprintf("%s.retryOn[%d]", path, i), "want 5xx, gateway-error, reset, connect-failure, retriable-status-codes or a status code, got %q", c)
		}
	}
	for i, code := range r.RetriableStatusCodes {
		if code < 100 || code > 599 {
			v.addf(fmt.Sprintf("%s.retriableStatusCodes[%d]", path, i), "must be 100..599, got %d", code)
		}
	}
	if b := r.Backoff; b != nil {
		v.duration(path+".backoff.baseInterval", b.BaseInterval)
		v.duration(path+".backoff.maxInterval", b.MaxInterval)
		if b.MaxInterval.Duration > 0 && b.MaxInterval.Duration < b.BaseInterval.Duration {
			v.addf(path+".backoff.maxInterval", "must not be below baseInterval %v, got %v", b.BaseInterval.Duration, b.MaxInterval.Duration)
		}
	}
	if b := r.Budget; b != nil {
		if b.Percent <= 0 || b.Percent > 100 {
			v.addf(path+".budget.percent", "must be above 0 and at most 100, got %v", b.Percent)
		}
		if b.MinRetriesPerSecond < 0 {
			v.addf(path+".budget.minRetriesPerSecond", "must not be negative, got %v", b.MinRetriesPerSecond)
		}
		v.duration(path+".budget.window", b.Window)
	}
}

func (v *validator) fault(path string, f Fault) {
	if f.Delay == nil && f.Abort == nil {
		v.addf(path, "needs a delay or an abort")
	}
	if d := f.Delay; d != nil {
		v.percent(path+".delay.percent", d.Percent)
		v.duration(path+".delay.fixedDelay", d.FixedDelay)
	}
	if a := f.Abort; a != nil {
		v.percent(path+".abort.percent", a.Percent)
		if a.HTTPStatus < 200 || a.HTTPStatus > 599 {
			v.addf(path+".abort.httpStatus", "must be 200..599, got %d", a.HTTPStatus)
		}
	}
}

func (v *validator) split(path string, s *Split, subsets map[string]bool) {
	if s == nil {
		return
	}
	for i, m := range s.Match {
		v.subset(fmt.Sprintf("%s.match[%d].subset", path, i), m.Subset, subsets)
	}
	sum := 0
	for i, w := range s.Weights {
		p := fmt.Sprintf("%s.weights[%d]", path, i)
		v.subset(p+".subset", w.Subset, subsets)
		if w.Weight < 0 || w.Weight > 100 {
			v.addf(p+".weight", "must be 0..100, got %d", w.Weight)
		}
		sum += w.Weight
	}
	if len(s.Weights) > 0 && sum != 100 {
		v.addf(path+".weights", "must sum to 100, got %d", sum)
	}
}

func (v *validator) subset(path, name string, subsets map[string]bool) {
	if !subsets[name] {
		v.addf(path, "names no subset of the service: %q", name)
	}
}

func (v *validator) gateway(path string, g GatewayPolicy) {
	for i, rl := range g.RateLimits {
		p := fmt.Sprintf("%s.rateLimits[%d]", path, i)
		if rl.Route != "*" {
			if err := checkRouteKey(rl.Route); err != nil {
				v.addf(p+".route", "want \"*\" or a route key: %v", err)
			}
		}
		if rl.RequestsPerSecond <= 0 {
			v.addf(p+".requestsPerSecond", "must be above 0, got %v", rl.RequestsPerSecond)
		}
		v.nonNegative(p+".burst", rl.Burst)
	}
	if k := g.APIKeys; k != nil && k.Required && len(k.Keys) == 0 {
		v.addf(path+".apiKeys.keys", "must not be empty when required")
	}
	if g.MaxRequestBytes < 0 {
		v.addf(path+".maxRequestBytes", "must not be negative, got %d", g.MaxRequestBytes)
	}
}

func (v *validator) security(path string, s SecurityPolicy) {
	if m := s.MTLS; m != nil {
		if m.Mode != MTLSDisable && m.Mode != MTLSStrict {
			v.addf(path+".mtls.mode", "must be %s or %s, got %q", MTLSStrict, MTLSDisable, m.Mode)
		}
		v.duration(path+".mtls.certTTL", m.CertTTL)
	}
	a := s.Authorization
	if a == nil {
		return
	}
	if a.Default != "" && a.Default != Allow && a.Default != Deny {
		v.addf(path+".authorization.default", "must be %s or %s, got %q", Allow, Deny, a.Default)
	}
	for i, r := range a.Rules {
		p := fmt.Sprintf("%s.authorization.rules[%d]", path, i)
		if r.Action != Allow && r.Action != Deny {
			v.addf(p+".action", "must be %s or %s, got %q", Allow, Deny, r.Action)
		}
		for j, m := range r.Methods {
			if !isMethod(m) {
				v.addf(fmt.Sprintf("%s.methods[%d]", p, j), "not an HTTP method: %q", m)
			}
		}
	}
}
