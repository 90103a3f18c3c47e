package policy

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Validate reports every problem of the document at once, each prefixed with its field path
// ("spec.services.payment.retries.attempts: must be 0..10, got -1"). nil: valid.
func (p *MeshPolicy) Validate() []error {
	v := &validator{}
	if p.APIVersion != "" && p.APIVersion != APIVersion {
		v.addf("apiVersion", "must be %q, got %q", APIVersion, p.APIVersion)
	}
	if p.Kind != "" && p.Kind != Kind {
		v.addf("kind", "must be %q, got %q", Kind, p.Kind)
	}
	for _, name := range sortedKeys(p.Spec.Services) {
		v.service("spec.services."+name, p.Spec.Services[name])
	}
	v.gateway("spec.gateway", p.Spec.Gateway)
	v.security("spec.security", p.Spec.Security)
	return v.errs
}

// validator collects problems with their paths.
type validator struct{ errs []error }

func (v *validator) addf(path, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

func (v *validator) duration(path string, d Duration) {
	if d.Duration < 0 {
		v.addf(path, "must not be negative, got %v", d.Duration)
	}
}

func (v *validator) percent(path string, pct float64) {
	if pct < 0 || pct > 100 {
		v.addf(path, "must be 0..100, got %v", pct)
	}
}

func (v *validator) nonNegative(path string, n int) {
	if n < 0 {
		v.addf(path, "must not be negative, got %d", n)
	}
}

func (v *validator) service(path string, sp ServicePolicy) {
	subsets := map[string]bool{}
	for i, s := range sp.Subsets {
		sub := fmt.Sprintf("%s.subsets[%d]", path, i)
		switch {
		case s.Name == "":
			v.addf(sub+".name", "must not be empty")
		case subsets[s.Name]:
			v.addf(sub+".name", "duplicate subset %q", s.Name)
		}
		subsets[s.Name] = true
	}
	v.route(path, sp.RoutePolicy, subsets)
	for _, key := range sortedKeys(sp.Routes) {
		rp := path + ".routes[" + strconv.Quote(key) + "]"
		if err := checkRouteKey(key); err != nil {
			v.addf(rp, "%v", err)
		}
		v.route(rp, sp.Routes[key], subsets)
	}
	v.connectionPool(path+".connectionPool", sp.ConnectionPool)
	v.outlier(path+".outlierDetection", sp.OutlierDetection)
	if lb := sp.LoadBalancer; lb != nil {
		switch lb.Simple {
		case RoundRobin, LeastRequest, Random:
		default:
			v.addf(path+".loadBalancer.simple", "must be one of %s, %s, %s, got %q", RoundRobin, LeastRequest, Random, lb.Simple)
		}
	}
}

func (v *validator) route(path string, rp RoutePolicy, subsets map[string]bool) {
	v.duration(path+".timeout", rp.Timeout)
	v.retries(path+".retries", rp.Retries)
	for i, f := range rp.Faults {
		v.fault(fmt.Sprintf("%s.faults[%d]", path, i), f)
	}
	v.split(path+".split", rp.Split, subsets)
}

func (v *validator) connectionPool(path string, cp *ConnectionPool) {
	if cp == nil {
		return
	}
	v.nonNegative(path+".maxConnections", cp.MaxConnections)
	v.nonNegative(path+".maxPendingRequests", cp.MaxPendingRequests)
	v.nonNegative(path+".maxRequests", cp.MaxRequests)
}

func (v *validator) outlier(path string, od *OutlierDetection) {
	if od == nil {
		return
	}
	v.nonNegative(path+".consecutive5xxErrors", od.Consecutive5xxErrors)
	v.nonNegative(path+".consecutiveGatewayErrors", od.ConsecutiveGatewayErrors)
	v.duration(path+".interval", od.Interval)
	v.duration(path+".baseEjectionTime", od.BaseEjectionTime)
	v.percent(path+".maxEjectionPercent", od.MaxEjectionPercent)
}

// checkRouteKey accepts "METHOD /path" or "/path", the path's {name} segments non-empty.
func checkRouteKey(key string) error {
	m, path, ok := strings.Cut(key, " ")
	if !ok {
		m, path = "", key
	}
	if m != "" && !isMethod(m) {
		return fmt.Errorf("route key %q: want \"METHOD /path\", %q is not an HTTP method", key, m)
	}
	if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " ?#") {
		return fmt.Errorf("route key %q: want \"METHOD /path\" with the path starting with /", key)
	}
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") != strings.HasSuffix(seg, "}") || seg == "{}" {
			return fmt.Errorf("route key %q: segment %q is not a {name} wildcard", key, seg)
		}
	}
	return nil
}

func isMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return true
	}
	return false
}

// sortedKeys returns m's keys in order, so problems come in a stable order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
