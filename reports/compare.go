package reports

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Defaults of CompareOptions.
const (
	DefaultMinEffectPercent = 10.0              // latency and other "higher is worse" figures, repeats on both sides
	DefaultMinEffectLatency = time.Millisecond  // latency, besides the percentage
	DefaultMinEffectSuccess = 0.5               // success, in percentage points
	DefaultConfidence       = 0.95              // of the bootstrap interval; α = 1 − it for U
	DefaultResamples        = 2000              // bootstrap resamples
	DefaultBlock            = 5 * time.Second   // bootstrap block length
	minRepeats              = 3                 // per side, for the Mann–Whitney test
	methodMannWhitney       = "mann-whitney"    // per-run summaries, repeats on both sides
	methodBootstrap         = "block-bootstrap" // per-second windows of single runs
	methodNone              = "none"            // no test possible: deltas only
)

// DefaultMinEffectPercentSingle is DefaultMinEffectPercent for single runs. One run a side
// cannot tell a change of the build from the host's drift between runs: on the 2-core VM,
// twelve runs of one build over four minutes had route p50s up to 17% apart (POST /orders
// 23.9 to 27.8 ms); at 10%, 12 of their 66 pairs were called regressions, at 20% none.
const DefaultMinEffectPercentSingle = 20.0

// ErrIncomparable is returned for reports of different scenarios or schema versions without
// a mapping.
var ErrIncomparable = errors.New("reports are not comparable")

// CompareOptions tune Compare. Zero values take the defaults above.
type CompareOptions struct {
	MinEffectPercent float64       // least relative worsening that counts (latency, budget, failover); 0: by method
	MinEffectLatency time.Duration // least absolute latency worsening that counts
	MinEffectSuccess float64       // least drop in success that counts, percentage points
	Confidence       float64
	Resamples        int
	Block            time.Duration
	Seed             uint64 // of the bootstrap; 0 is 1
	// Mapping maps a base scenario name to the new one it may be compared with.
	Mapping map[string]string
	// AnySchema allows reports of different schema versions.
	AnySchema bool
}

// Comparison is base against new, figure by figure.
type Comparison struct {
	BaseScenario string       `json:"baseScenario"`
	NewScenario  string       `json:"newScenario"`
	BaseRuns     int          `json:"baseRuns"`
	NewRuns      int          `json:"newRuns"`
	Method       string       `json:"method"` // mann-whitney or block-bootstrap
	Options      CompareOpts  `json:"options"`
	Rows         []CompareRow `json:"rows"`
	Regressions  int          `json:"regressions"`
	// Untrusted describes the runs of either side whose report does not trust its own numbers
	// (the load generator fell behind, the host was saturated): "base 1 (ID): reasons".
	Untrusted []string `json:"untrusted,omitempty"`
	// Verdict is what the comparison concludes: VerdictPass, VerdictRegression or
	// VerdictInconclusive.
	Verdict string `json:"verdict"`
}

// Verdicts of a comparison.
const (
	// VerdictPass: no figure regressed.
	VerdictPass = "pass"
	// VerdictRegression: a figure regressed and every run can be trusted.
	VerdictRegression = "regression"
	// VerdictInconclusive: figures regressed, but a run of either side cannot be trusted, so the
	// difference may be the host's, not the build's.
	VerdictInconclusive = "inconclusive"
)

// CompareOpts are the options a comparison used, as report JSON writes them.
type CompareOpts struct {
	MinEffectPercent float64  `json:"minEffectPercent"`
	MinEffectLatency Duration `json:"minEffectLatencyMs"`
	MinEffectSuccess float64  `json:"minEffectSuccessPoints"`
	Confidence       float64  `json:"confidence"`
	Block            Duration `json:"blockMs"`
}

// CompareRow is one figure of one scope. Base and New are medians over runs; Delta = New − Base.
type CompareRow struct {
	Scope        string   `json:"scope"`  // overall, phase:<name>, route:<route>, fault:<name>
	Metric       string   `json:"metric"` // latency.p50, successPercent, …
	Unit         string   `json:"unit"`   // ms, %, or ""
	Base         float64  `json:"base"`
	New          float64  `json:"new"`
	Delta        float64  `json:"delta"`
	DeltaPercent *float64 `json:"deltaPercent"` // null when Base is 0
	Method       string   `json:"method"`
	PValue       *float64 `json:"pValue,omitempty"` // Mann–Whitney
	CILow        *float64 `json:"ciLow,omitempty"`  // bootstrap interval of the per-second difference, or Moses interval of the runs' shift
	CIHigh       *float64 `json:"ciHigh,omitempty"`
	// A single run's figure: the per-second windows a side it was tested on (fewer than
	// minBootstrapWindows: not tested), and the block it was resampled in (Options' block, or a
	// quarter of a shorter series).
	Windows     int       `json:"windows,omitempty"`
	Block       *Duration `json:"blockMs,omitempty"`
	Significant bool      `json:"significant"`
	Worse       bool      `json:"worse"`      // moved in the bad direction by at least the minimum effect
	Regression  bool      `json:"regression"` // Significant and Worse
}

// Compare compares the runs of new with those of base (one report each, or the repeats of a
// scenario). With at least 3 runs on both sides it tests per-run summaries with the
// Mann–Whitney U test (two-sided, α = 1 − Confidence per figure: a handful of repeats cannot
// afford a multiple-comparison correction, the minimum effect guards instead); otherwise it
// bootstraps blocks of per-second windows of the first run of each side — never raw
// requests, which are autocorrelated — at a Bonferroni-corrected level over the figures so
// tested. A regression is a figure that got significantly worse by at least the minimum
// effect, at the near end of its confidence interval (the bootstrap's, or for repeats the
// Moses interval of the shift between runs): a shift that is real but may be small — two
// batches of one build made while the host drifted — is not called one. Within one run a
// whole-run shift is as consistent as a real change, so single runs get a larger default
// minimum effect (DefaultMinEffectPercentSingle).
func Compare(base, new []*Report, opts CompareOptions) (*Comparison, error) {
	if len(base) == 0 || len(new) == 0 {
		return nil, fmt.Errorf("%w: nothing to compare (%d base, %d new reports)", ErrIncomparable, len(base), len(new))
	}
	method := methodBootstrap
	if len(base) >= minRepeats && len(new) >= minRepeats {
		method = methodMannWhitney
	}
	opts = opts.withDefaults(method)
	if err := comparable(base, new, opts); err != nil {
		return nil, err
	}
	c := &Comparison{
		BaseScenario: base[0].Run.Scenario, NewScenario: new[0].Run.Scenario, BaseRuns: len(base), NewRuns: len(new),
		Method: method, Rows: []CompareRow{},
		Options: CompareOpts{MinEffectPercent: opts.MinEffectPercent, MinEffectLatency: Duration(opts.MinEffectLatency),
			MinEffectSuccess: opts.MinEffectSuccess, Confidence: opts.Confidence, Block: Duration(opts.Block)},
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5eed))
	figs := figuresOf(base[0], new[0])
	bootOpts := opts
	if n := bootstrapped(figs); n > 1 {
		// Bonferroni: the family of per-second tests keeps the overall false-alarm rate.
		bootOpts.Confidence = 1 - (1-opts.Confidence)/float64(n)
	}
	for _, f := range figs {
		o := opts
		if c.Method == methodBootstrap {
			o = bootOpts
		}
		row := compareFigure(f, base, new, c.Method, o, rng)
		if row == nil {
			continue
		}
		if row.Regression {
			c.Regressions++
		}
		c.Rows = append(c.Rows, *row)
	}
	c.Untrusted = append(untrustedRuns(base, "base"), untrustedRuns(new, "new")...)
	c.Verdict = verdictOf(c.Regressions, c.Untrusted)
	return c, nil
}

// verdictOf judges a comparison: regressions count only when every run can be trusted.
func verdictOf(regressions int, untrusted []string) string {
	switch {
	case regressions == 0:
		return VerdictPass
	case len(untrusted) > 0:
		return VerdictInconclusive
	}
	return VerdictRegression
}

// untrustedRuns describes the runs of one side whose numbers their report does not trust.
func untrustedRuns(rs []*Report, side string) []string {
	var out []string
	for i, r := range rs {
		if !r.Trust.Trusted {
			out = append(out, fmt.Sprintf("%s %d (%s): %s", side, i+1, r.Run.ID, strings.Join(r.Trust.Reasons, "; ")))
		}
	}
	return out
}

// withDefaults fills o's zero values; the minimum relative effect depends on the method.
func (o CompareOptions) withDefaults(method string) CompareOptions {
	def := func(x *float64, d float64) {
		if *x <= 0 {
			*x = d
		}
	}
	if method == methodMannWhitney {
		def(&o.MinEffectPercent, DefaultMinEffectPercent)
	} else {
		def(&o.MinEffectPercent, DefaultMinEffectPercentSingle)
	}
	def(&o.MinEffectSuccess, DefaultMinEffectSuccess)
	def(&o.Confidence, DefaultConfidence)
	if o.MinEffectLatency <= 0 {
		o.MinEffectLatency = DefaultMinEffectLatency
	}
	if o.Resamples <= 0 {
		o.Resamples = DefaultResamples
	}
	if o.Block <= 0 {
		o.Block = DefaultBlock
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// comparable checks that every report is of one scenario (or mapped) and one schema version.
func comparable(base, new []*Report, o CompareOptions) error {
	bn, nn := base[0].Run.Scenario, new[0].Run.Scenario
	for _, side := range [][]*Report{base, new} {
		for _, r := range side {
			if r.Run.Scenario != side[0].Run.Scenario {
				return fmt.Errorf("%w: one side mixes scenarios %q and %q", ErrIncomparable, side[0].Run.Scenario, r.Run.Scenario)
			}
			if r.SchemaVersion != base[0].SchemaVersion && !o.AnySchema {
				return fmt.Errorf("%w: schema versions %d and %d differ (allow explicitly to compare anyway)",
					ErrIncomparable, base[0].SchemaVersion, r.SchemaVersion)
			}
		}
	}
	if bn != nn && o.Mapping[bn] != nn {
		return fmt.Errorf("%w: scenario %q against %q (map one to the other explicitly to compare anyway)", ErrIncomparable, bn, nn)
	}
	return nil
}

// bootstrapped counts the figures that have per-second values.
func bootstrapped(figs []figure) int {
	n := 0
	for _, f := range figs {
		if f.perSecond != nil {
			n++
		}
	}
	return n
}
