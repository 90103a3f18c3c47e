package reports

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestQuantile(t *testing.T) {
	t.Parallel()
	oneToN := func(n int) []time.Duration {
		s := make([]time.Duration, n)
		for i := range s {
			s[i] = ms(float64(i + 1))
		}
		return s
	}
	tests := []struct {
		name    string
		samples []time.Duration
		q       float64
		want    time.Duration
	}{
		{"1..1000 p50", oneToN(1000), 0.5, ms(500)},
		{"1..1000 p90", oneToN(1000), 0.9, ms(900)},
		{"1..1000 p99", oneToN(1000), 0.99, ms(990)},
		{"1..1000 p99.9", oneToN(1000), 0.999, ms(999)},
		{"1..1000 max", oneToN(1000), 1, ms(1000)},
		{"1..10 p50", oneToN(10), 0.5, ms(5)},
		{"1..10 p90", oneToN(10), 0.9, ms(9)},
		{"1..10 p99: rounds up to the max", oneToN(10), 0.99, ms(10)},
		{"1..10 p99.9", oneToN(10), 0.999, ms(10)},
		{"1..10 tiny q is the min", oneToN(10), 0.00001, ms(1)},
		{"1..30 p90 (0.9·30 is not exact in float64)", oneToN(30), 0.9, ms(27)},
		{"single p50", []time.Duration{ms(7)}, 0.5, ms(7)},
		{"single p99.9", []time.Duration{ms(7)}, 0.999, ms(7)},
		{"ties p50", []time.Duration{ms(1), ms(2), ms(2), ms(2), ms(9)}, 0.5, ms(2)},
		{"ties p90", []time.Duration{ms(1), ms(2), ms(2), ms(2), ms(9)}, 0.9, ms(9)},
		{"all equal", []time.Duration{ms(3), ms(3), ms(3)}, 0.99, ms(3)},
		{"none", nil, 0.5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Quantile(tt.samples, tt.q))
		})
	}
}

func TestLatencyOf(t *testing.T) {
	t.Parallel()
	s := make([]time.Duration, 1000)
	for i := range s {
		s[i] = ms(float64(i + 1))
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	slices.Sort(s)
	at := func(pc, v float64) PercentilePoint { return PercentilePoint{Percentile: pc, Latency: Duration(ms(v))} }
	assert.Equal(t, Latency{
		P50: Duration(ms(500)), P90: Duration(ms(900)), P99: Duration(ms(990)), P999: Duration(ms(999)),
		Max: Duration(ms(1000)), Mean: Duration(ms(500.5)), Min: Duration(ms(1)),
		Spectrum: []PercentilePoint{at(0, 1), at(25, 250), at(50, 500), at(75, 750), at(90, 900), at(95, 950),
			at(99, 990), at(99.5, 995), at(99.9, 999), at(99.95, 1000), at(99.99, 1000), at(100, 1000)},
	}, latencyOf(s), "nearest rank: 99.95% of 1,000 samples is the 1,000th")
	assert.Equal(t, Latency{}, latencyOf(nil))
}

func TestErrorKind(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`Get "http://127.0.0.1:8080/users/17": context deadline exceeded`, "context deadline exceeded"},
		{`Post "http://127.0.0.1:8080/orders": EOF`, "EOF"},
		{`Get "http://h/x": dial tcp 127.0.0.1:8080: connect: connection refused`,
			"dial tcp 127.0.0.1:8080: connect: connection refused"},
		{"503 Service Unavailable", "503 Service Unavailable"},
		{`read "x" failed`, `read "x" failed`},
		{`no such "thing"`, `no such "thing"`},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, errorKind(tt.in))
		})
	}
}

func TestTopErrors(t *testing.T) {
	t.Parallel()
	got := topErrors(map[string]int{"a": 1, "b": 5, "c": 5, "d": 2, "e": 1, "f": 9, "g": 1}, MaxErrorKinds)
	assert.Equal(t, []ErrorCount{{"f", 9}, {"b", 5}, {"c", 5}, {"d", 2}, {"a", 1}}, got)
	assert.Equal(t, []ErrorCount{}, topErrors(nil, MaxErrorKinds))
}
