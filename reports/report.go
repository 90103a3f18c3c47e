package reports

import (
	"time"

	"github.com/meshlab/meshlab/scenarios"
)

// Report is the analysis of one run: what report.json holds. Every figure covers the measured
// window, warm-up excluded.
type Report struct {
	SchemaVersion int                `json:"schemaVersion"`
	Run           Run                `json:"run"`
	Scenario      scenarios.Scenario `json:"scenario"` // as run, defaults filled
	Window        Window             `json:"window"`
	Overall       Stats              `json:"overall"`
	// RouteOrder lists the keys of Routes in a stable order: scenarios.Routes order, then
	// OtherRoute. It holds every route of the load mix and every route that saw a request.
	RouteOrder []string         `json:"routeOrder"`
	Routes     map[string]Stats `json:"routes"`
	SLO        SLOReport        `json:"slo"`

	// Verdict is the run's outcome for CI: VerdictPass, VerdictFail or VerdictInconclusive
	// (see Outcome).
	Verdict  string       `json:"verdict"`
	Trust    Trust        `json:"trust"`
	Gates    []GateResult `json:"gates"`
	Phases   []Phase      `json:"phases"`
	Alerts   []Alert      `json:"alerts"` // burn-rate alerts, scaled to the run
	Failover Failover     `json:"failover"`
	Series   Series       `json:"series"`               // 1 s
	Fine     *Series      `json:"fineSeries,omitempty"` // 100 ms, runs under a minute
	// RouteSeries is the 1 s series of each route that saw a request.
	RouteSeries map[string]Series `json:"routeSeries"`
	Repeat      RepeatInfo        `json:"repeat"`
	// PolicyChanges are the policy versions pushed during the measured window.
	PolicyChanges []PolicyMark `json:"policyChanges"`
	// Ejections are the outlier ejections the mesh made within the measured window.
	Ejections []EjectionEvent `json:"ejections"`
}

// RepeatInfo places a run among the repeats of its scenario.
type RepeatInfo struct {
	Count int `json:"count"` // 0 or 1: a single run
	Index int `json:"index"` // from 0
}

// Run identifies a run and what it ran on.
type Run struct {
	ID          string    `json:"id"`
	Scenario    string    `json:"scenario"`
	Backend     string    `json:"backend"`
	Seed        uint64    `json:"seed"`
	StartedAt   time.Time `json:"startedAt"` // UTC
	Versions    Versions  `json:"versions"`
	Machine     Machine   `json:"machine"`
	MeshReady   Duration  `json:"meshReadyMs"`
	Interrupted bool      `json:"interrupted"`
	// ScheduledRequests is how many requests the schedule called for over the whole attack.
	ScheduledRequests int `json:"scheduledRequests"`
	// Samples is the number of samples read, warm-up included.
	Samples int `json:"samples"`
	// DroppedBytes is the size of a cut-off last record of results.bin that could not be read
	// (a run that died while writing it); 0 for a whole file.
	DroppedBytes int64 `json:"droppedBytes"`
}

// Window is the measured window: from the end of the warm-up to the end of the schedule (of
// an interrupted run: to its last send).
type Window struct {
	Start    time.Time `json:"start"` // UTC
	End      time.Time `json:"end"`   // UTC
	Warmup   Duration  `json:"warmupMs"`
	Measured Duration  `json:"measuredMs"`
	// WarmupRequests is the number of samples left out as warm-up.
	WarmupRequests int `json:"warmupRequests"`
}

// Stats are the figures of a set of requests: the whole run or one route.
type Stats struct {
	// Requests is the number of requests intended to be sent within the window.
	Requests  int `json:"requests"`
	Successes int `json:"successes"` // status 200–399, as vegeta counts them
	// SuccessPercent is Successes ÷ Requests, on 0–100.
	SuccessPercent float64 `json:"successPercent"`
	// TargetRate is the scheduled rate (req/s): a route's share of the mix × the overall target.
	TargetRate float64 `json:"targetRate"`
	// Sent is the number of requests actually sent within the window (intended send time plus
	// send lag), whatever their intended time: a warm-up request sent late may count.
	Sent int `json:"sent"`
	// AchievedRate is Sent per second of the window (req/s).
	AchievedRate float64 `json:"achievedRate"`
	// Throughput is Successes per second of the window.
	Throughput float64 `json:"throughput"`
	// StatusCodes counts responses by status code; "0" counts requests without a response.
	StatusCodes map[string]int `json:"statusCodes"`
	// Errors are the most frequent error kinds, at most MaxErrorKinds.
	Errors   []ErrorCount `json:"errors"`
	Latency  Latency      `json:"latency"`
	SendLag  SendLag      `json:"sendLag"`
	BytesIn  uint64       `json:"bytesIn"`
	BytesOut uint64       `json:"bytesOut"`
}

// Latency summarises latencies from the intended send time, nearest-rank quantiles of the
// exact samples.
type Latency struct {
	P50  Duration `json:"p50Ms"`
	P90  Duration `json:"p90Ms"`
	P99  Duration `json:"p99Ms"`
	P999 Duration `json:"p999Ms"`
	Max  Duration `json:"maxMs"`
	Mean Duration `json:"meanMs"`
	Min  Duration `json:"minMs"`
	// Spectrum is the latency at each of SpectrumPercentiles (nearest rank), then the maximum:
	// what report.html draws as latency by percentile.
	Spectrum []PercentilePoint `json:"spectrum,omitempty"`
}

// PercentilePoint is the latency at a percentile.
type PercentilePoint struct {
	Percentile float64  `json:"percentile"`
	Latency    Duration `json:"latencyMs"`
}

// SpectrumPercentiles are the points of Latency.Spectrum below the maximum (which closes it at
// 100): dense in the tail, as HdrHistogram's percentile plots are.
var SpectrumPercentiles = []float64{0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99}

// SendLag summarises how late requests left relative to their intended send time.
type SendLag struct {
	P50 Duration `json:"p50Ms"`
	P99 Duration `json:"p99Ms"`
	Max Duration `json:"maxMs"`
}

// ErrorCount is one kind of error and how many requests ended with it.
type ErrorCount struct {
	Error string `json:"error"`
	Count int    `json:"count"`
}

// SLOReport judges the run against the scenario's SLOs.
type SLOReport struct {
	// Verdict is VerdictMet, VerdictNotMet or VerdictNone.
	Verdict      string     `json:"verdict"`
	Availability *SLOResult `json:"availability,omitempty"`
	Latency      *SLOResult `json:"latency,omitempty"`
}

// Verdicts of an SLOReport.
const (
	VerdictMet    = "met"
	VerdictNotMet = "not met"
	VerdictNone   = "none" // the scenario sets no SLO
)

// SLOResult is one SLO judged over the window. Good events are, for availability, requests that
// got a response other than 5xx or 429; for latency, good requests answered within Threshold.
type SLOResult struct {
	Threshold        Duration `json:"thresholdMs,omitempty"` // latency SLO only
	ObjectivePercent float64  `json:"objectivePercent"`
	AchievedPercent  float64  `json:"achievedPercent"` // Good ÷ Valid, on 0–100
	Valid            int      `json:"valid"`
	Good             int      `json:"good"`
	Bad              int      `json:"bad"`
	Budget           Budget   `json:"budget"`
	// Met: some requests were measured and Bad is within the budget.
	Met bool `json:"met"`
}

// Budget is an error budget: the bad events an objective allows over the window, and how much
// of that the run spent.
type Budget struct {
	// Allowed is (100 − objective)/100 × valid, rounded to 6 decimals.
	Allowed float64 `json:"allowed"`
	Spent   int     `json:"spent"` // bad events
	// SpentPercent is Spent ÷ Allowed on 0–100 (above 100 when overspent); null when nothing
	// was allowed but something was spent.
	SpentPercent *float64 `json:"spentPercent"`
	// Remaining is Allowed − Spent, negative when overspent.
	Remaining float64 `json:"remaining"`
}
