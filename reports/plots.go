package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Plot size in the HTML report.
const (
	plotWidth  = 9 * vg.Inch
	plotHeight = 3.2 * vg.Inch
)

var (
	faultShade  = color.NRGBA{R: 220, G: 60, B: 60, A: 45}
	policyColor = color.NRGBA{R: 40, G: 90, B: 200, A: 255}
	palette     = []color.Color{
		color.NRGBA{R: 31, G: 119, B: 180, A: 255}, color.NRGBA{R: 214, G: 39, B: 40, A: 255},
		color.NRGBA{R: 44, G: 160, B: 44, A: 255}, color.NRGBA{R: 255, G: 127, B: 14, A: 255},
		color.NRGBA{R: 148, G: 103, B: 189, A: 255}, color.NRGBA{R: 140, G: 86, B: 75, A: 255},
	}
)

// plotSeries is the series the plots show: the 100 ms one for short runs.
func (r *Report) plotSeries() Series {
	if r.Fine != nil {
		return *r.Fine
	}
	return r.Series
}

// latencyPlot is p50 and p99 over time (seconds from the window's start), fault windows
// shaded and policy changes marked.
func (r *Report) latencyPlot() (string, error) {
	p := newPlot("Latency over time", "seconds since warm-up", "latency (ms)")
	s := r.plotSeries()
	top := 0.0
	for i, q := range []struct {
		name string
		get  func(SeriesPoint) Duration
	}{{"p50", func(pt SeriesPoint) Duration { return pt.P50 }}, {"p99", func(pt SeriesPoint) Duration { return pt.P99 }}} {
		xys := seriesXY(s, func(pt SeriesPoint) float64 { return msOf(q.get(pt)) })
		for _, xy := range xys {
			top = math.Max(top, xy.Y)
		}
		if err := addLine(p, i, q.name, xys); err != nil {
			return "", err
		}
	}
	r.markEvents(p, top)
	return svgOf(p)
}

// trafficPlot is requests per second and failed requests per second over time.
func (r *Report) trafficPlot() (string, error) {
	p := newPlot("Throughput and errors", "seconds since warm-up", "requests/s")
	s := r.plotSeries()
	step := time.Duration(s.Step).Seconds()
	rps := seriesXY(s, func(pt SeriesPoint) float64 { return pt.RPS })
	bad := seriesXY(s, func(pt SeriesPoint) float64 { return float64(pt.Bad) / step })
	top := 0.0
	for _, xy := range rps {
		top = math.Max(top, xy.Y)
	}
	if err := addLine(p, 0, "requests/s", rps); err != nil {
		return "", err
	}
	if err := addLine(p, 1, "failed/s", bad); err != nil {
		return "", err
	}
	p.Y.Max = math.Max(p.Y.Max, 1.25*top) // headroom: the legend sits above a steady rate's line
	r.markEvents(p, top)
	return svgOf(p)
}

// cdfPlot is each phase's latency by percentile (Latency.Spectrum), HdrHistogram style: the
// percentile axis stretches the tail (90%, 99%, 99.9% … equally apart), latency on a log axis.
func (r *Report) cdfPlot() (string, error) {
	p := newPlot("Latency by percentile, per phase", "percentile", "latency (ms)")
	p.X.Tick.Marker = percentileTicks{}
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks125{}
	p.Legend.Top = false // bottom right: under curves that rise to the right
	for i, ph := range r.Phases {
		l := ph.Stats.Latency
		if ph.Stats.Requests == 0 || l.Min <= 0 || len(l.Spectrum) == 0 {
			continue
		}
		xys := make(plotter.XYs, 0, len(l.Spectrum))
		for _, pt := range l.Spectrum {
			xys = append(xys, plotter.XY{X: percentileX(pt.Percentile, ph.Stats.Requests), Y: msOf(pt.Latency)})
		}
		if err := addLine(p, i, ph.Name, xys); err != nil {
			return "", err
		}
	}
	return svgOf(p)
}

// percentileX places percentile pc of n samples on the percentile axis: −log10(1 − pc/100),
// so 90% is at 1, 99% at 2, 99.9% at 3; the maximum (and any percentile past the last sample)
// at log10(n), where the highest sample is.
func percentileX(pc float64, n int) float64 {
	end := math.Log10(float64(max(n, 2)))
	if pc >= 100 {
		return end
	}
	return min(-math.Log10(1-pc/100), end)
}

// percentileTicks labels the percentile axis of cdfPlot.
type percentileTicks struct{}

func (percentileTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for _, t := range []struct {
		pc    float64
		label string
	}{{0, "0%"}, {50, "50%"}, {90, "90%"}, {99, "99%"}, {99.9, "99.9%"}, {99.99, "99.99%"}, {99.999, "99.999%"}} {
		if x := -math.Log10(1 - t.pc/100); x >= lo && x <= hi {
			ticks = append(ticks, plot.Tick{Value: x, Label: t.label})
		}
	}
	return ticks
}

// logTicks125 marks a log axis at 1, 2 and 5 times each power of ten in range, labelled, and
// at the other integer multiples unlabelled: latencies within one decade (3–40 ms) still get
// numbers, where powers of ten alone would label one tick or none.
type logTicks125 struct{}

func (logTicks125) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 || hi <= lo {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	var ticks []plot.Tick
	for e := int(math.Floor(math.Log10(lo))); math.Pow10(e) <= hi; e++ {
		for m := 1.0; m <= 9; m++ {
			v := m * math.Pow10(e)
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	if !slices.ContainsFunc(ticks, func(t plot.Tick) bool { return t.Label != "" }) {
		return plot.DefaultTicks{}.Ticks(lo, hi) // a range inside one 1–2–5 step
	}
	return ticks
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, x, y
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return p
}

// seriesXY maps each point of s to (seconds, f(point)).
func seriesXY(s Series, f func(SeriesPoint) float64) plotter.XYs {
	xys := make(plotter.XYs, 0, len(s.Points))
	for _, pt := range s.Points {
		xys = append(xys, plotter.XY{X: time.Duration(pt.Offset).Seconds(), Y: f(pt)})
	}
	return xys
}

// addLine adds a line in palette colour i, named in the legend.
func addLine(p *plot.Plot, i int, name string, xys plotter.XYs) error {
	if len(xys) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return fmt.Errorf("plotting %s: %w", name, err)
	}
	l.Color = palette[i%len(palette)]
	l.Width = vg.Points(1.2)
	p.Add(l)
	p.Legend.Add(name, l)
	return nil
}

// markEvents shades each fault window and draws a dashed line at each policy change, up to
// height top.
func (r *Report) markEvents(p *plot.Plot, top float64) {
	top = math.Max(top, 1)
	for _, ph := range r.Phases {
		x0 := ph.Start.Sub(r.Window.Start).Seconds()
		x1 := ph.End.Sub(r.Window.Start).Seconds()
		if ph.Kind == PhaseFault {
			if poly, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: 0}, {X: x1, Y: 0}, {X: x1, Y: top}, {X: x0, Y: top}}); err == nil {
				poly.Color, poly.LineStyle.Width = faultShade, 0
				p.Add(poly)
			}
		}
	}
	for _, pc := range r.PolicyChanges {
		x := pc.At.Sub(r.Window.Start).Seconds()
		if l, err := plotter.NewLine(plotter.XYs{{X: x, Y: 0}, {X: x, Y: top}}); err == nil {
			l.Color, l.Dashes = policyColor, []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(l)
		}
	}
}

// svgOf renders p as an SVG document without its XML declaration, for inlining in HTML.
func svgOf(p *plot.Plot) (string, error) {
	c := vgsvg.New(plotWidth, plotHeight)
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return "", fmt.Errorf("rendering plot: %w", err)
	}
	s := b.String()
	if i := bytes.Index(b.Bytes(), []byte("<svg")); i > 0 {
		s = s[i:]
	}
	return s, nil
}
