package policy

import "time"

// Effective is the policy in force for one call: a destination service's policy with the
// matching route's overrides applied. Sidecars and the gateway resolve it once per policy
// version and route, and hand it to the middlewares of the call (proxy.Call.Route.Policy).
type Effective struct {
	Service string // destination service
	Route   string // the matched route key ("POST /payments"), or "" for the service default
	Version uint64 // the policy version it was resolved from

	Timeout          time.Duration // 0: the sidecar's default
	Retries          *RetryPolicy  // nil: the basic retry
	Faults           []Fault
	Split            *Split
	ConnectionPool   *ConnectionPool
	OutlierDetection *OutlierDetection
	LoadBalancer     *LoadBalancer
	Subsets          []Subset
}

// Resolve returns the effective policy for a call to service with method and path. A
// ServicePolicy under "*" applies to services not listed. Route keys are "METHOD /path" with
// {name} segments matching any one segment; the first (in sorted key order) that matches wins.
func (p *MeshPolicy) Resolve(service, method, path string, version uint64) Effective {
	e := Effective{Service: service, Version: version}
	if p == nil {
		return e
	}
	sp, ok := p.Spec.Services[service]
	if !ok {
		sp, ok = p.Spec.Services["*"]
	}
	if !ok {
		return e
	}
	e.ConnectionPool, e.OutlierDetection, e.LoadBalancer, e.Subsets = sp.ConnectionPool, sp.OutlierDetection, sp.LoadBalancer, sp.Subsets
	rp := sp.RoutePolicy
	if key, over, ok := matchRoute(sp.Routes, method, path); ok {
		e.Route = key
		rp = overlay(rp, over)
	}
	e.Timeout, e.Retries, e.Faults, e.Split = rp.Timeout.Duration, rp.Retries, rp.Faults, rp.Split
	return e
}

// overlay returns base with every field set in over replacing it.
func overlay(base, over RoutePolicy) RoutePolicy {
	if over.Timeout.Duration != 0 {
		base.Timeout = over.Timeout
	}
	if over.Retries != nil {
		base.Retries = over.Retries
	}
	if over.Faults != nil {
		base.Faults = over.Faults
	}
	if over.Split != nil {
		base.Split = over.Split
	}
	return base
}
