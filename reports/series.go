package reports

import (
	"slices"
	"time"
)

// Series resolutions: every run gets a 1 s series; runs shorter than FineSeriesBelow also a
// 100 ms one.
const (
	SeriesStep      = time.Second
	FineSeriesStep  = 100 * time.Millisecond
	FineSeriesBelow = time.Minute
)

// Series is a time series of the measured window at one resolution, by intended send time.
type Series struct {
	Step   Duration      `json:"stepMs"`
	Points []SeriesPoint `json:"points"`
}

// SeriesPoint is one step of a Series. Quantiles are nearest-rank over the step's requests.
type SeriesPoint struct {
	Offset         Duration `json:"offsetMs"` // from the window's start
	Requests       int      `json:"requests"`
	RPS            float64  `json:"rps"`
	SuccessPercent float64  `json:"successPercent"`
	Bad            int      `json:"bad"`  // against availability
	Slow           int      `json:"slow"` // good but over the latency threshold
	P50            Duration `json:"p50Ms"`
	P99            Duration `json:"p99Ms"`
}

// seriesOf buckets recs (in time order) into steps of step over w.
func seriesOf(recs []sampleRec, w window, step time.Duration) Series {
	n := int((w.length() + step - 1) / step)
	pts := make([]SeriesPoint, n)
	lat := make([][]time.Duration, n)
	ok := make([]int, n)
	for _, r := range recs {
		i := min(int(r.at.Sub(w.start)/step), n-1)
		if i < 0 {
			continue
		}
		pts[i].Requests++
		if r.ok {
			ok[i]++
		}
		if r.bad {
			pts[i].Bad++
		}
		if r.slow {
			pts[i].Slow++
		}
		lat[i] = append(lat[i], r.latency)
	}
	for i := range pts {
		slices.Sort(lat[i])
		p := &pts[i]
		p.Offset = Duration(time.Duration(i) * step)
		span := min(step, w.length()-time.Duration(i)*step)
		p.RPS = perSecond(p.Requests, span)
		p.SuccessPercent = percent(ok[i], p.Requests)
		p.P50 = Duration(nearestRank(lat[i], q50))
		p.P99 = Duration(nearestRank(lat[i], q99))
	}
	return Series{Step: Duration(step), Points: pts}
}

// seriesSet is the 1 s series and, for a short run, the 100 ms one.
func seriesSet(recs []sampleRec, w window) (coarse Series, fine *Series) {
	coarse = seriesOf(recs, w, SeriesStep)
	if w.length() < FineSeriesBelow {
		f := seriesOf(recs, w, FineSeriesStep)
		fine = &f
	}
	return coarse, fine
}

// routeSeries is the 1 s series of each route that saw a request.
func routeSeries(recs []sampleRec, w window) map[string]Series {
	by := map[string][]sampleRec{}
	for _, r := range recs {
		by[r.route] = append(by[r.route], r)
	}
	out := make(map[string]Series, len(by))
	for route, rs := range by {
		out[route] = seriesOf(rs, w, SeriesStep)
	}
	return out
}
