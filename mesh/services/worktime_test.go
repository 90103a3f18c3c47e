package services

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseWorkTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want WorkTime
	}{
		{"", WorkTime{}},
		{"fixed:5ms", WorkTime{Fixed: 5 * time.Millisecond}},
		{"fixed:1m30.5s", WorkTime{Fixed: 90*time.Second + 500*time.Millisecond}},
		{"fixed:0s", WorkTime{}},
		{"lognormal:median=5ms,sigma=0.5", WorkTime{Median: 5 * time.Millisecond, Sigma: 0.5}},
		{"lognormal:sigma=1.25,median=250us", WorkTime{Median: 250 * time.Microsecond, Sigma: 1.25}},
		{"lognormal:median=2ms,sigma=0", WorkTime{Median: 2 * time.Millisecond}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseWorkTime(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			again, err := ParseWorkTime(got.String())
			require.NoError(t, err, "String %q must parse", got.String())
			assert.Equal(t, got, again, "round trip through %q", got.String())
		})
	}
}

func TestWorkTimeStringRoundTrips(t *testing.T) {
	t.Parallel()
	for _, w := range []WorkTime{
		{},
		{Fixed: time.Nanosecond},
		{Fixed: 3*time.Hour + time.Nanosecond},
		{Median: 7 * time.Millisecond, Sigma: 0.1 + 0.2}, // a float that needs all its digits
		{Median: time.Second, Sigma: 10},
	} {
		t.Run(w.String(), func(t *testing.T) {
			t.Parallel()
			got, err := ParseWorkTime(w.String())
			require.NoError(t, err)
			assert.Equal(t, w, got)
		})
	}
}

func TestParseWorkTimeRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, why string // why: a fragment the error must name
	}{
		{"5ms", "want"},
		{"fixed:", "duration"},
		{"fixed:5", "duration"},
		{"fixed:-5ms", "negative"},
		{"uniform:5ms", "unknown distribution"},
		{"lognormal:", "bad or repeated parameter"},
		{"lognormal:median=5ms", "both"},
		{"lognormal:sigma=0.5", "both"},
		{"lognormal:median=5ms,sigma=x", "not a number"},
		{"lognormal:median=5ms,sigma=-1", "sigma"},
		{"lognormal:median=5ms,sigma=NaN", "sigma"},
		{"lognormal:median=5ms,sigma=11", "sigma"},
		{"lognormal:median=0s,sigma=0.5", "positive"},
		{"lognormal:median=-1ms,sigma=0.5", "negative"},
		{"lognormal:median=5ms,sigma=0.5,mean=3ms", "unknown parameter"},
		{"lognormal:median=5ms,median=6ms,sigma=1", "repeated"},
		{"lognormal:median=5ms,sigma=0.5,", "bad or repeated parameter"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseWorkTime(tc.in)
			require.ErrorIs(t, err, ErrBadWorkTime)
			assert.Contains(t, err.Error(), tc.why)
			assert.Contains(t, err.Error(), `"`+tc.in+`"`, "the error quotes the input")
		})
	}
}

// draws takes n draws of a fresh sampler.
func draws(w WorkTime, seed uint64, instance string, n int) []time.Duration {
	s := newSampler(w, seed, instance)
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = s.draw()
	}
	return out
}

func TestSamplerLognormalMedian(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		median time.Duration
		sigma  float64
	}{
		{"narrow", 5 * time.Millisecond, 0.25},
		{"typical", 5 * time.Millisecond, 0.5},
		{"wide", 2 * time.Millisecond, 1.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const n = 20000
			d := draws(WorkTime{Median: tc.median, Sigma: tc.sigma}, 7, "payment-1", n)
			slices.Sort(d)
			got := float64(d[n/2])
			// The sample median's log has a standard error near 1.25·sigma/√n (under 1.4% here);
			// 10% is a margin no correct sampler misses.
			assert.InEpsilon(t, float64(tc.median), got, 0.10, "median %s of %d draws", time.Duration(got), n)
			logs := make([]float64, n)
			for i, x := range d {
				logs[i] = math.Log(float64(x))
			}
			assert.InDelta(t, tc.sigma, stddev(logs), tc.sigma*0.10, "sigma of the log")
		})
	}
}

func stddev(xs []float64) float64 {
	var sum, sq float64
	for _, x := range xs {
		sum += x
	}
	mean := sum / float64(len(xs))
	for _, x := range xs {
		sq += (x - mean) * (x - mean)
	}
	return math.Sqrt(sq / float64(len(xs)-1))
}

func TestSamplerIsSeeded(t *testing.T) {
	t.Parallel()
	w := WorkTime{Median: time.Millisecond, Sigma: 1}
	a := draws(w, 1, "product-1", 100)
	assert.Equal(t, a, draws(w, 1, "product-1", 100), "same seed and instance: same draws")
	assert.NotEqual(t, a, draws(w, 1, "product-2", 100), "another instance draws differently")
	assert.NotEqual(t, a, draws(w, 2, "product-1", 100), "another seed draws differently")
	assert.Equal(t, []time.Duration{3 * time.Millisecond, 3 * time.Millisecond},
		draws(WorkTime{Fixed: 3 * time.Millisecond}, 1, "x", 2), "fixed is fixed")
}

func TestSamplerSleepRespectsCancel(t *testing.T) {
	t.Parallel()
	s := newSampler(WorkTime{Fixed: time.Hour}, 1, "user-1")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	done := make(chan bool)
	go func() { done <- s.sleep(ctx) }()
	select {
	case full := <-done:
		assert.False(t, full, "a canceled sleep reports it was cut short")
	case <-time.After(10 * time.Second):
		t.Fatal("sleep ignored its context's cancellation")
	}
	assert.True(t, newSampler(WorkTime{}, 1, "user-1").sleep(context.Background()), "no work: no wait")
}
