package stress

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSize(t *testing.T) {
	t.Parallel()
	total, err := memTotal()
	require.NoError(t, err)
	require.Positive(t, total)
	tests := []struct {
		name string
		in   string
		want int64
	}{
		{"bare bytes", "4096", 4096},
		{"bytes", "100B", 100},
		{"kilobytes are decimal", "3KB", 3000},
		{"megabytes are decimal", "64MB", 64_000_000},
		{"gigabytes are decimal", "1GB", 1_000_000_000},
		{"kibibytes", "3KiB", 3 << 10},
		{"mebibytes", "64MiB", 64 << 20},
		{"gibibytes", "2GiB", 2 << 30},
		{"case-insensitive", "64mib", 64 << 20},
		{"space before unit", "64 MiB", 64 << 20},
		{"fraction", "1.5GiB", 3 << 29},
		{"percent of MemTotal", "10%", total / 10},
		{"whole machine", "100%", total},
		{"zero percent", "0%", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSize(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseSizeRejects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "MiB", "12XB", "-5MB", "1e3", "101%", "-1%", "abc%", "1..2GB"} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseSize(in)
			assert.ErrorIs(t, err, ErrBadSize)
		})
	}
}

func TestParseSizePercentUsesMachineTotal(t *testing.T) {
	t.Parallel()
	fixed := func() (int64, error) { return 8 << 30, nil }
	got, err := parseSize("25%", fixed)
	require.NoError(t, err)
	assert.Equal(t, int64(2<<30), got)

	broken := func() (int64, error) { return 0, errors.New("no /proc") }
	_, err = parseSize("25%", broken)
	assert.ErrorIs(t, err, ErrBadSize)
}
