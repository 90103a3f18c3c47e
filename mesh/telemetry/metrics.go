package telemetry

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/meshlab/meshlab/mesh/adminapi"
)

// DurationBuckets are the latency histogram's bounds, in seconds: 0.5 ms to 10 s.
var DurationBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Metrics is one process's metrics: a private registry (never the global default) holding the
// request metrics, the collectors over other packages' Stats, and Go and process collectors.
type Metrics struct {
	reg  *prometheus.Registry
	mesh prometheus.Registerer // reg, with the role and mesh_instance labels

	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	tries       *prometheus.CounterVec
	rateLimited *prometheus.CounterVec
}

// New returns the Metrics of a process of role ("sidecar", "gateway") and instance
// ("payment-1"); every meshlab_ series carries them as the labels role and mesh_instance.
func New(role, instance string) *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{reg: reg,
		mesh: prometheus.WrapRegistererWith(prometheus.Labels{"role": role, "mesh_instance": instance}, reg)}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: adminapi.NameRequests,
		Help: "Requests by side, source, destination, route and status code."},
		[]string{"side", "source", "destination", "route", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: adminapi.NameDuration,
		Help:    "Request latency until the answer's headers, by side, source, destination and route.",
		Buckets: DurationBuckets}, []string{"side", "source", "destination", "route"})
	m.tries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: adminapi.NameTries,
		Help: "Tries sent by the outbound proxy (first tries and retries), by source and destination."},
		[]string{"source", "destination"})
	m.rateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{Name: adminapi.NameRateLimited,
		Help: "Requests refused by a gateway rate limit (429), by the limit's route."}, []string{"route"})
	m.mesh.MustRegister(m.requests, m.duration, m.tries, m.rateLimited)
	return m
}

// Handler serves the registry in the Prometheus exposition formats (GET /metrics).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry returns the private registry, for collectors this package does not know.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// RateLimited counts a request a rate limit of route refused; it fits
// gateway.Config.OnRateLimited.
func (m *Metrics) RateLimited(_ *http.Request, route string) {
	m.rateLimited.WithLabelValues(route).Inc()
}

// observe records one request.
func (m *Metrics) observe(side, source, dest, route, code string, seconds float64) {
	m.requests.WithLabelValues(side, source, dest, route, code).Inc()
	m.duration.WithLabelValues(side, source, dest, route).Observe(seconds)
}
