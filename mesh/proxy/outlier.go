package proxy

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/policy"
)

// Outlier detection defaults, Istio's and Envoy's.
const (
	DefaultOutlierInterval    = 10 * time.Second
	DefaultBaseEjectionTime   = 30 * time.Second
	DefaultMaxEjectionPercent = 10
	// MaxEjectionTime caps BaseEjectionTime × ejections (Envoy's max_ejection_time).
	MaxEjectionTime = 300 * time.Second
	// MaxEjectionEvents is how many ejections Stats keeps per service.
	MaxEjectionEvents = 256
)

// outlier is a service's endpoint health: Envoy's consecutive_5xx and
// consecutive_gateway_failure detectors. Ejection happens on the result that completes the
// streak; an ejected endpoint returns at the first Interval tick (counted from when the
// service was first seen) after BaseEjectionTime × its ejection multiplier (see eject).
type outlier struct {
	mu     sync.Mutex
	start  time.Time
	eps    map[string]*epHealth // by endpoint ID
	events []adminapi.Ejection
	total  uint64
}

// epHealth is one endpoint's streaks and ejection.
type epHealth struct {
	c5xx, cgw int
	ejections int
	ejected   bool
	until     time.Time
}

// outcome is a try's result as the detectors see it.
type outcome struct{ is5xx, isGateway bool }

// ejectedAt reports whether h is ejected at now, returning it when its time is over.
func (h *epHealth) ejectedAt(now time.Time) bool {
	if h.ejected && !now.Before(h.until) {
		h.ejected = false
	}
	return h.ejected
}

// healthy returns eps without the endpoints ejected at now; eps itself when none is, and when
// all are (Envoy's panic mode: traffic to every endpoint rather than none).
func (o *outlier) healthy(eps []*Endpoint, now time.Time) []*Endpoint {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.eps) == 0 {
		return eps
	}
	var out []*Endpoint
	for i, ep := range eps {
		h := o.eps[ep.ID]
		if h == nil || !h.ejectedAt(now) {
			if out != nil {
				out = append(out, ep)
			}
			continue
		}
		if out == nil {
			out = append(make([]*Endpoint, 0, len(eps)), eps[:i]...)
		}
	}
	if out == nil || len(out) == 0 {
		return eps
	}
	return out
}

// observe records a try's outcome on endpoint id of a service with total endpoints, and
// ejects it when a streak reaches its threshold.
func (o *outlier) observe(id string, total int, od *policy.OutlierDetection, res outcome, now time.Time) (adminapi.Ejection, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	h := o.eps[id]
	if h == nil {
		h = &epHealth{}
		o.eps[id] = h
	}
	h.c5xx, h.cgw = streak(h.c5xx, res.is5xx), streak(h.cgw, res.isGateway)
	reason := ""
	switch {
	case od.Consecutive5xxErrors > 0 && h.c5xx >= od.Consecutive5xxErrors:
		reason = "consecutive-5xx"
	case od.ConsecutiveGatewayErrors > 0 && h.cgw >= od.ConsecutiveGatewayErrors:
		reason = "consecutive-gateway-errors"
	}
	if reason == "" || h.ejectedAt(now) || !o.mayEject(total, od, now) {
		return adminapi.Ejection{}, false
	}
	return o.eject(id, h, od, reason, now), true
}

func streak(n int, hit bool) int {
	if hit {
		return n + 1
	}
	return 0
}

// mayEject reports whether one more endpoint may be ejected: while the ejected share is under
// MaxEjectionPercent (Envoy).
func (o *outlier) mayEject(total int, od *policy.OutlierDetection, now time.Time) bool {
	if total <= 0 {
		return false
	}
	maxPct := od.MaxEjectionPercent
	if maxPct == 0 {
		maxPct = DefaultMaxEjectionPercent
	}
	n := 0
	for _, h := range o.eps {
		if h.ejectedAt(now) {
			n++
		}
	}
	return 100*float64(n)/float64(total) < maxPct
}

// eject ejects h for BaseEjectionTime × its ejection multiplier, until the next Interval tick
// after. The multiplier counts ejections in a row: one more for this one, one less for each
// Interval tick h spent back in rotation since the last (as Envoy's ejection time backoff).
func (o *outlier) eject(id string, h *epHealth, od *policy.OutlierDetection, reason string, now time.Time) adminapi.Ejection {
	base, interval := od.BaseEjectionTime.Duration, od.Interval.Duration
	if base <= 0 {
		base = DefaultBaseEjectionTime
	}
	if interval <= 0 {
		interval = DefaultOutlierInterval
	}
	if h.ejections > 0 && now.After(h.until) {
		// Envoy lowers the multiplier by one at each Interval sweep that finds the endpoint
		// back in rotation: the sweeps after its return and before now.
		h.ejections = max(0, h.ejections-int((now.Sub(h.until)-1)/interval))
	}
	h.ejections++
	d := min(base*time.Duration(h.ejections), max(MaxEjectionTime, base))
	ticks := (now.Add(d).Sub(o.start) + interval - 1) / interval
	h.ejected, h.until, h.c5xx, h.cgw = true, o.start.Add(ticks*interval), 0, 0
	ev := adminapi.Ejection{Endpoint: id, At: now, Until: h.until, Duration: d, Count: h.ejections, Reason: reason}
	o.total++
	if len(o.events) >= MaxEjectionEvents {
		o.events = append(o.events[:0], o.events[1:]...)
	}
	o.events = append(o.events, ev)
	return ev
}

// snapshot returns the ejection events, their total and the endpoints ejected at now.
func (o *outlier) snapshot(now time.Time) ([]adminapi.Ejection, uint64, []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var ejected []string
	for id, h := range o.eps {
		if h.ejectedAt(now) {
			ejected = append(ejected, id)
		}
	}
	return append([]adminapi.Ejection(nil), o.events...), o.total, ejected
}

// outlierMiddleware feeds each try's result to its service's detectors when the call's policy
// has OutlierDetection. As Envoy without split local-origin errors: a failure to connect or a
// lost connection counts as a 503, a per-try timeout as a 504; the proxy's own answers
// (overflow, no endpoints) and a client gone away do not count.
func (r *Registry) outlierMiddleware() Middleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return RoundTripFunc(func(req *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(req)
			call, st := CallOf(req), stateOf(req)
			if call == nil || st == nil || call.Endpoint == nil || call.Route.Policy.OutlierDetection == nil {
				return resp, err
			}
			res, ok := classifyOutcome(req, resp, err)
			if !ok {
				return resp, err
			}
			od := call.Route.Policy.OutlierDetection
			if ev, ej := st.svc.outlier.observe(call.Endpoint.ID, st.total, od, res, r.now()); ej {
				r.log.Info("outlier ejected", "service", st.svc.name, "endpoint", ev.Endpoint,
					"reason", ev.Reason, "count", ev.Count, "duration", ev.Duration)
			}
			return resp, err
		})
	}
}

// classifyOutcome maps a try's result to the detectors' view; ok is false when it must not
// count.
func classifyOutcome(req *http.Request, resp *http.Response, err error) (outcome, bool) {
	if err != nil {
		if e := (*Error)(nil); errors.As(err, &e) || errors.Is(req.Context().Err(), context.Canceled) {
			return outcome{}, false
		}
		return outcome{is5xx: true, isGateway: true}, true
	}
	if resp.Header.Get(ReasonHeader) == ReasonOverflow && resp.Header.Get(OverflowHeader) != "" {
		return outcome{}, false
	}
	c := resp.StatusCode
	return outcome{is5xx: c >= 500 && c <= 599, isGateway: c == 502 || c == 503 || c == 504}, true
}
