package proxy

import (
	"fmt"
	"net/http"

	"github.com/meshlab/meshlab/mesh/policy"
)

// chooseSubset sets the call's subset from p.Split: the first Match rule whose headers all
// equal the request's, else a subset drawn by Weights with rnd. A subset the policy does not
// define fails the call with a 503 (no-endpoints).
func (s *callState) chooseSubset(p *policy.Effective, h http.Header, rnd func() float64) error {
	if p.Split == nil {
		return nil
	}
	name := matchSubset(p.Split.Match, h)
	if name == "" {
		name = weightedSubset(p.Split.Weights, rnd)
	}
	if name == "" {
		return nil
	}
	for _, sub := range p.Subsets {
		if sub.Name == name {
			s.subset, s.labels = name, sub.Labels
			return nil
		}
	}
	return &Error{Status: http.StatusServiceUnavailable, Reason: ReasonNoEndpoints,
		Err: fmt.Errorf("subset %q of service %q is not defined", name, p.Service)}
}

// matchSubset returns the subset of the first rule whose headers all match h; "" if none.
func matchSubset(rules []policy.HeaderRoute, h http.Header) string {
	for _, r := range rules {
		ok := true
		for k, v := range r.Headers {
			if h.Get(k) != v {
				ok = false
				break
			}
		}
		if ok {
			return r.Subset
		}
	}
	return ""
}

// weightedSubset draws a subset by weight; "" when there are no positive weights.
func weightedSubset(ws []policy.WeightedSubset, rnd func() float64) string {
	sum := 0
	for _, w := range ws {
		sum += max(w.Weight, 0)
	}
	if sum == 0 {
		return ""
	}
	x := rnd() * float64(sum)
	for _, w := range ws {
		if x -= float64(max(w.Weight, 0)); x < 0 {
			return w.Subset
		}
	}
	return ws[len(ws)-1].Subset
}

// pick chooses the try's endpoint of c under the call's policy: the subset's endpoints,
// without the ejected ones, by the LoadBalancer algorithm.
func (s *callState) pick(c *Cluster, call *Call) *Endpoint {
	eps := c.Endpoints
	if s.labels != nil {
		eps = withLabels(eps, s.labels)
	}
	s.total = len(c.Endpoints)
	p, lb := call.Route.Policy, ""
	if p != nil && p.OutlierDetection != nil {
		eps = s.svc.outlier.healthy(eps, s.reg.now())
	}
	if p != nil && p.LoadBalancer != nil {
		lb = p.LoadBalancer.Simple
	}
	return c.pickFrom(eps, call, lb, s.reg.rand)
}

// withLabels returns the endpoints of eps that carry every label of labels.
func withLabels(eps []*Endpoint, labels map[string]string) []*Endpoint {
	out := make([]*Endpoint, 0, len(eps))
	for _, ep := range eps {
		if hasLabels(ep.Labels, labels) {
			out = append(out, ep)
		}
	}
	return out
}

func hasLabels(have, want map[string]string) bool {
	for k, v := range want {
		if hv, ok := have[k]; !ok || hv != v {
			return false
		}
	}
	return true
}

// noEndpoints is the 503 of a call without an endpoint to pick (s may be nil).
func (s *callState) noEndpoints(service string) *Error {
	if s == nil || s.subset == "" {
		return errNoEndpoints(service)
	}
	return &Error{Status: http.StatusServiceUnavailable, Reason: ReasonNoEndpoints,
		Err: fmt.Errorf("no live endpoint of subset %q of service %q", s.subset, service)}
}
