package telemetry

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/faults"
	"github.com/meshlab/meshlab/mesh/netfault"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// WatchProxy exports a proxy Registry's Stats, per destination: retries and requests under a
// retry policy, retry-budget exhaustion, breaker overflows by limit, ejections and the
// endpoints ejected now.
func (m *Metrics) WatchProxy(r *proxy.Registry) {
	dest := []string{"destination"}
	retries := prometheus.NewDesc(adminapi.NameRetries, "Retries (tries after the first) under a retry policy.", dest, nil)
	requests := prometheus.NewDesc(adminapi.NamePolicyRequests, "Requests under a retry policy.", dest, nil)
	exhausted := prometheus.NewDesc(adminapi.NameBudgetExhausted, "Retries refused by the retry budget.", dest, nil)
	ejections := prometheus.NewDesc(adminapi.NameEjections, "Outlier ejections of endpoints.", dest, nil)
	ejected := prometheus.NewDesc(adminapi.NameEjected, "Endpoints ejected now.", dest, nil)
	overflows := prometheus.NewDesc(adminapi.NameOverflows, "Requests failed fast by the circuit breaker, by limit.",
		[]string{"destination", "limit"}, nil)
	m.watch(func(ch chan<- prometheus.Metric) {
		for svc, s := range r.Stats().Services {
			ch <- counter(retries, s.Retries, svc)
			ch <- counter(requests, s.Requests, svc)
			ch <- counter(exhausted, s.BudgetExhausted, svc)
			ch <- counter(ejections, s.EjectionsTotal, svc)
			ch <- prometheus.MustNewConstMetric(ejected, prometheus.GaugeValue, float64(len(s.Ejected)), svc)
			for _, limit := range []string{proxy.OverflowMaxRequests, proxy.OverflowMaxPending, proxy.OverflowMaxConnections} {
				ch <- counter(overflows, s.Overflows[limit], svc, limit)
			}
		}
	}, retries, requests, exhausted, ejections, ejected, overflows)
}

// WatchFaults exports an HTTPChaos engine's applications, per rule.
func (m *Metrics) WatchFaults(e *faults.Engine) {
	d := prometheus.NewDesc(adminapi.NameHTTPChaos, "HTTPChaos rule applications, per rule.", []string{"rule"}, nil)
	m.watch(func(ch chan<- prometheus.Metric) {
		for rule, n := range e.Stats() {
			ch <- counter(d, n, rule)
		}
	}, d)
}

// WatchNet exports a network-fault engine's counters, per rule: events (delayed, lost,
// corrupted, dropped, blackholed) and bytes (duplicated, throttled).
func (m *Metrics) WatchNet(e *netfault.Engine) {
	labels := []string{"rule", "kind"}
	events := prometheus.NewDesc(adminapi.NameNetfaultEvents, "Network-fault events, per rule and kind.", labels, nil)
	bytes := prometheus.NewDesc(adminapi.NameNetfaultBytes, "Bytes a network fault duplicated or throttled, per rule.", labels, nil)
	m.watch(func(ch chan<- prometheus.Metric) {
		for _, s := range e.Stats().Rules {
			for kind, n := range map[string]int64{"delayed": s.Delayed, "lost": s.Lost,
				"corrupted": s.Corrupted, "dropped": s.Dropped, "blackholed": s.Blackholed} {
				ch <- counter(events, uint64(n), s.Name, kind)
			}
			ch <- counter(bytes, uint64(s.DuplicatedBytes), s.Name, "duplicated")
			ch <- counter(bytes, uint64(s.ThrottledBytes), s.Name, "throttled")
		}
	}, events, bytes)
}

func counter(d *prometheus.Desc, n uint64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(n), labels...)
}
