package telemetry

import "github.com/prometheus/client_golang/prometheus"

// collector is a prometheus.Collector whose Collect reads a snapshot: the counts are kept by
// their owner, and read only when scraped.
type collector struct {
	descs   []*prometheus.Desc
	collect func(ch chan<- prometheus.Metric)
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) { c.collect(ch) }

// watch registers a collector of descs (mesh labels added) and collect.
func (m *Metrics) watch(collect func(ch chan<- prometheus.Metric), descs ...*prometheus.Desc) {
	m.mesh.MustRegister(&collector{descs: descs, collect: collect})
}

// WatchCounter exports fn's snapshot as the counter name: each key of fn's map is the value
// of the label label; with label "", fn's map holds one value under "" (a single series).
// For counts other packages keep, such as an identity.Source's HandshakeFailures
// (adminapi.NameMTLSFailures) or a sidecar.Authz's Denied (adminapi.NameAuthzDenied).
func (m *Metrics) WatchCounter(name, help, label string, fn func() map[string]float64) {
	m.watchValues(name, help, label, prometheus.CounterValue, fn)
}

// WatchGauge is WatchCounter for a value that goes up and down.
func (m *Metrics) WatchGauge(name, help, label string, fn func() map[string]float64) {
	m.watchValues(name, help, label, prometheus.GaugeValue, fn)
}

func (m *Metrics) watchValues(name, help, label string, vt prometheus.ValueType, fn func() map[string]float64) {
	var labels []string
	if label != "" {
		labels = []string{label}
	}
	d := prometheus.NewDesc(name, help, labels, nil)
	m.watch(func(ch chan<- prometheus.Metric) {
		for k, v := range fn() {
			if label == "" {
				ch <- prometheus.MustNewConstMetric(d, vt, v)
				continue
			}
			ch <- prometheus.MustNewConstMetric(d, vt, v, k)
		}
	}, d)
}

var _ prometheus.Collector = (*collector)(nil)
