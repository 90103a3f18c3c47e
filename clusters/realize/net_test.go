package realize

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want uint64
	}{
		{"1mbps", 1_000_000}, {"8mbit", 1_000_000}, {"100kbps", 100_000}, {"1gbit", 125_000_000},
		{"800bit", 100}, {" 10BPS ", 10},
	} {
		got, err := ParseRate(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, "%s in bytes per second", tt.in)
	}
	for _, bad := range []string{"", "fast", "1.5mbps", "-1kbit", "10"} {
		_, err := ParseRate(bad)
		assert.Error(t, err, bad)
	}
}
