package reports

import (
	"math"
	"math/rand/v2"
	"slices"
)

// mannWhitneyP is the two-sided p-value of the Mann–Whitney U test of a against b: exact
// (by counting arrangements) when there are no ties and few values, the normal approximation
// with tie correction otherwise.
func mannWhitneyP(a, b []float64) float64 {
	n1, n2 := len(a), len(b)
	if n1 == 0 || n2 == 0 {
		return 1
	}
	u, ties := uStatistic(a, b)
	if !ties && n1*n2 <= 400 {
		return exactUP(u, n1, n2)
	}
	return normalUP(u, a, b)
}

// uStatistic is U of a (pairs in which a's value is greater, ties counting ½), and whether
// any values tie.
func uStatistic(a, b []float64) (float64, bool) {
	var u float64
	ties := false
	for _, x := range a {
		for _, y := range b {
			switch {
			case x > y:
				u++
			case x == y:
				u += 0.5
				ties = true
			}
		}
	}
	all := append(slices.Clone(a), b...)
	slices.Sort(all)
	for i := 1; i < len(all); i++ {
		ties = ties || all[i] == all[i-1]
	}
	return u, ties
}

// exactUP is the exact two-sided p-value of U = u for samples of n1 and n2 without ties.
func exactUP(u float64, n1, n2 int) float64 {
	// counts[k] is the number of arrangements of n1 a's and n2 b's whose U is k, built by
	// the recursion f(n1, n2, k) = f(n1−1, n2, k−n2) + f(n1, n2−1, k).
	maxU := n1 * n2
	f := make([][]float64, n2+1) // f[j] for the current i: distribution of U for i a's, j b's
	for j := range f {
		f[j] = make([]float64, maxU+1)
		f[j][0] = 1
	}
	for i := 1; i <= n1; i++ {
		g := make([][]float64, n2+1)
		g[0] = make([]float64, maxU+1)
		g[0][0] = 1
		for j := 1; j <= n2; j++ {
			g[j] = make([]float64, maxU+1)
			for k := 0; k <= i*j; k++ {
				g[j][k] = g[j-1][k]
				if k >= j {
					g[j][k] += f[j][k-j]
				}
			}
		}
		f = g
	}
	counts := f[n2]
	var total, tail float64
	lo := math.Min(u, float64(maxU)-u)
	for k, c := range counts {
		total += c
		if float64(k) <= lo {
			tail += c
		}
	}
	return math.Min(1, 2*tail/total)
}

// normalUP is the two-sided p-value of U by the normal approximation with tie correction
// and continuity correction.
func normalUP(u float64, a, b []float64) float64 {
	n1, n2 := float64(len(a)), float64(len(b))
	n := n1 + n2
	all := append(slices.Clone(a), b...)
	slices.Sort(all)
	var tieSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j] == all[i] {
			j++
		}
		t := float64(j - i)
		tieSum += t*t*t - t
		i = j
	}
	sigma := math.Sqrt(n1 * n2 / 12 * ((n + 1) - tieSum/(n*(n-1))))
	if sigma == 0 {
		return 1
	}
	z := (math.Abs(u-n1*n2/2) - 0.5) / sigma
	return math.Min(1, math.Erfc(math.Max(z, 0)/math.Sqrt2))
}

// blockBootstrapCI is the percentile confidence interval (level conf) of mean(b) − mean(a)
// from moving-block bootstrap resamples of each series (blocks of block consecutive values,
// which keeps their autocorrelation).
func blockBootstrapCI(a, b []float64, block, resamples int, conf float64, rng *rand.Rand) (lo, hi float64) {
	diffs := make([]float64, resamples)
	for i := range diffs {
		diffs[i] = blockMean(b, block, rng) - blockMean(a, block, rng)
	}
	slices.Sort(diffs)
	alpha := (1 - conf) / 2
	at := func(q float64) float64 {
		return diffs[min(max(int(math.Floor(q*float64(resamples))), 0), resamples-1)]
	}
	return at(alpha), at(1 - alpha)
}

// blockMean is the mean of one moving-block resample of xs, as long as xs.
func blockMean(xs []float64, block int, rng *rand.Rand) float64 {
	n := len(xs)
	block = min(max(block, 1), n)
	var sum float64
	taken := 0
	for taken < n {
		start := rng.IntN(n - block + 1)
		for k := start; k < start+block && taken < n; k++ {
			sum += xs[k]
			taken++
		}
	}
	return sum / float64(n)
}

// median is the median of xs (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// meanOf is the mean of xs, 0 for none.
func meanOf(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// shiftCI is the distribution-free confidence interval (level conf) of the shift of b over
// a that goes with the Mann–Whitney test (Moses; centred on the Hodges–Lehmann estimate):
// the order statistics of the n1·n2 differences b_j − a_i that leave out, at each end, as
// many as the test's critical value of U. ok is false when the samples are too small for any
// interval at that level (the test cannot reject either).
func shiftCI(a, b []float64, conf float64) (lo, hi float64, ok bool) {
	n1, n2 := len(a), len(b)
	if n1 == 0 || n2 == 0 {
		return 0, 0, false
	}
	d := make([]float64, 0, n1*n2)
	for _, x := range a {
		for _, y := range b {
			d = append(d, y-x)
		}
	}
	slices.Sort(d)
	c := criticalU(a, b, 1-conf)
	if c < 0 {
		return 0, 0, false
	}
	return d[c], d[len(d)-1-c], true
}

// criticalU is the largest u whose two-sided p-value is at most alpha: exact for small
// samples without ties, else by the normal approximation; −1 when there is none.
func criticalU(a, b []float64, alpha float64) int {
	n1, n2 := len(a), len(b)
	mn := n1 * n2
	if _, ties := uStatistic(a, b); !ties && mn <= 400 {
		c := -1
		for u := 0; 2*u < mn && exactUP(float64(u), n1, n2) <= alpha; u++ {
			c = u
		}
		return c
	}
	z := math.Sqrt2 * math.Erfinv(1-alpha)
	c := int(math.Floor(float64(mn)/2 - z*math.Sqrt(float64(mn*(n1+n2+1))/12) - 0.5))
	if c < 0 {
		return -1
	}
	return c
}
