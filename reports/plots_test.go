package reports

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLogTicks125(t *testing.T) {
	labels := func(lo, hi float64) []string {
		var out []string
		for _, tk := range (logTicks125{}).Ticks(lo, hi) {
			if tk.Label != "" {
				out = append(out, tk.Label)
			}
		}
		return out
	}
	assert.Equal(t, []string{"5", "10", "20"}, labels(3, 40), "one decade still gets numbers")
	assert.Equal(t, []string{"0.5", "1", "2", "5", "10", "20", "50", "100"}, labels(0.35, 120))
	assert.NotEmpty(t, labels(1.1, 1.9), "inside one step: Go's default ticks")
	assert.NotEmpty(t, labels(0, 10), "not a log range: default ticks")
}

func TestPercentileX(t *testing.T) {
	assert.InDelta(t, 0, percentileX(0, 1000), 1e-9)
	assert.InDelta(t, 1, percentileX(90, 1000), 1e-9)
	assert.InDelta(t, 2, percentileX(99, 1000), 1e-9)
	assert.InDelta(t, 3, percentileX(99.99, 1000), 1e-9, "past the last sample: where the maximum is")
	assert.InDelta(t, 3, percentileX(100, 1000), 1e-9)
	assert.InDelta(t, 4, percentileX(99.99, 100000), 1e-9)
}
