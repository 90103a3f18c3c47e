package reports

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// MaxErrorKinds is how many error kinds a Stats lists, the most frequent first.
const MaxErrorKinds = 5

// Quantiles in parts per 100,000, so that ranks are computed in exact integer arithmetic.
const (
	q50  = 50_000
	q90  = 90_000
	q99  = 99_000
	q999 = 99_900
	qAll = 100_000
)

// Quantile returns the nearest-rank quantile q (0 < q ≤ 1) of sorted samples: the smallest
// sample s such that at least q of the samples are ≤ s, that is sorted[⌈q·n⌉−1]. It returns 0
// for no samples. q is taken to 1/100,000.
func Quantile(sorted []time.Duration, q float64) time.Duration {
	return nearestRank(sorted, int(q*qAll+0.5))
}

// nearestRank is Quantile with q in parts per 100,000.
func nearestRank(sorted []time.Duration, q int) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := (q*n + qAll - 1) / qAll // ⌈q·n / 100,000⌉
	return sorted[min(max(rank, 1), n)-1]
}

// accumulator takes the samples of one set of requests (the whole run or one route) in any
// order and summarises them once, on close.
type accumulator struct {
	requests, successes, sent int
	codes                     map[string]int
	errors                    map[string]int
	latencies, lags           []time.Duration
	bytesIn, bytesOut         uint64
}

func newAccumulator() *accumulator {
	return &accumulator{codes: map[string]int{}, errors: map[string]int{}}
}

// add takes one request of the window; sent tells whether it actually left within the window,
// lag how late it left.
func (a *accumulator) add(r *vegeta.Result, sent bool, lag time.Duration) {
	a.requests++
	if r.Code >= 200 && r.Code < 400 {
		a.successes++
	}
	if sent {
		a.addSend()
	}
	a.codes[strconv.Itoa(int(r.Code))]++
	if r.Error != "" {
		a.errors[errorKind(r.Error)]++
	}
	a.latencies = append(a.latencies, r.Latency)
	a.lags = append(a.lags, lag)
	a.bytesIn += r.BytesIn
	a.bytesOut += r.BytesOut
}

// addSend counts a request that actually left within the window, whatever its intended time.
func (a *accumulator) addSend() { a.sent++ }

// close summarises the samples taken over a window of length measured, against a target rate.
func (a *accumulator) close(measured time.Duration, target float64) Stats {
	slices.Sort(a.latencies)
	slices.Sort(a.lags)
	return Stats{
		Requests:       a.requests,
		Successes:      a.successes,
		SuccessPercent: percent(a.successes, a.requests),
		TargetRate:     target,
		Sent:           a.sent,
		AchievedRate:   perSecond(a.sent, measured),
		Throughput:     perSecond(a.successes, measured),
		StatusCodes:    a.codes,
		Errors:         topErrors(a.errors, MaxErrorKinds),
		Latency:        latencyOf(a.latencies),
		SendLag: SendLag{
			P50: Duration(nearestRank(a.lags, q50)),
			P99: Duration(nearestRank(a.lags, q99)),
			Max: Duration(nearestRank(a.lags, qAll)),
		},
		BytesIn:  a.bytesIn,
		BytesOut: a.bytesOut,
	}
}

// latencyOf summarises sorted latencies.
func latencyOf(sorted []time.Duration) Latency {
	if len(sorted) == 0 {
		return Latency{}
	}
	var sum float64
	for _, d := range sorted {
		sum += float64(d)
	}
	q := func(p int) Duration { return Duration(nearestRank(sorted, p)) }
	spectrum := make([]PercentilePoint, 0, len(SpectrumPercentiles)+1)
	for _, pc := range SpectrumPercentiles {
		at := Duration(sorted[0])
		if pc > 0 {
			at = q(int(math.Round(pc * 1000)))
		}
		spectrum = append(spectrum, PercentilePoint{Percentile: pc, Latency: at})
	}
	spectrum = append(spectrum, PercentilePoint{Percentile: 100, Latency: q(qAll)})
	return Latency{
		P50: q(q50), P90: q(q90), P99: q(q99), P999: q(q999), Max: q(qAll),
		Mean:     Duration(math.Round(sum / float64(len(sorted)))),
		Min:      Duration(sorted[0]),
		Spectrum: spectrum,
	}
}

// topErrors returns the n most frequent error kinds, ties in text order.
func topErrors(counts map[string]int, n int) []ErrorCount {
	out := make([]ErrorCount, 0, len(counts))
	for e, c := range counts {
		out = append(out, ErrorCount{Error: e, Count: c})
	}
	slices.SortFunc(out, func(a, b ErrorCount) int {
		return cmp.Or(b.Count-a.Count, strings.Compare(a.Error, b.Error))
	})
	return out[:min(n, len(out))]
}

// errorKind is an error's text without the request it names: Go's HTTP client writes
// `Get "http://host/users/17": dial tcp …`, and the URL would make every error its own kind.
func errorKind(s string) string {
	op, rest, ok := strings.Cut(s, ` "`)
	if !ok || op == "" || strings.IndexFunc(op, notLetter) >= 0 {
		return s
	}
	if _, tail, ok := strings.Cut(rest, `": `); ok {
		return tail
	}
	return s
}

func notLetter(r rune) bool { return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') }

// percent is part ÷ whole on 0–100, 0 when whole is 0.
func percent(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) * 100 / float64(whole)
}

// perSecond is n per second of d, 0 when d is not positive.
func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) * 1e9 / float64(d)
}
