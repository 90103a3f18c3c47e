package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/rundir"
)

// encodeResults encodes rs as the harness does and returns the stream and the offset of the end
// of each record in it.
func encodeResults(t *testing.T, rs []vegeta.Result) ([]byte, []int) {
	t.Helper()
	var b bytes.Buffer
	enc := vegeta.NewEncoder(&b)
	ends := make([]int, len(rs))
	for i := range rs {
		require.NoError(t, enc.Encode(&rs[i]))
		ends[i] = b.Len()
	}
	return b.Bytes(), ends
}

func TestReadResults(t *testing.T) {
	t.Parallel()
	rs := syntheticRun()[:50]
	stream, ends := encodeResults(t, rs)
	n := len(ends)
	tests := []struct {
		name string
		size int // bytes of the stream kept
		want int // complete records in them
	}{
		{"whole file", len(stream), n},
		{"last record cut by one byte", len(stream) - 1, n - 1},
		{"last record cut in the middle", (ends[n-2] + ends[n-1]) / 2, n - 1},
		{"last record cut after its length", ends[n-2] + 1, n - 1},
		{"cut at a record boundary", ends[n-2], n - 1},
		{"first record cut", ends[0] - 3, 0},
		{"empty file", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), rundir.Results)
			require.NoError(t, os.WriteFile(path, stream[:tt.size], 0o644))
			got, dropped, err := ReadResults(path)
			require.NoError(t, err)
			assert.Equal(t, int64(tt.size-endOf(ends, tt.want)), dropped, "dropped bytes")
			require.Len(t, got, tt.want)
			for i := range got {
				assert.True(t, rs[i].Equal(got[i]), "record %d differs", i)
			}
		})
	}
}

// endOf is the offset of the end of the first n records.
func endOf(ends []int, n int) int {
	if n == 0 {
		return 0
	}
	return ends[n-1]
}

func TestReadResultsErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, _, err := ReadResults(filepath.Join(dir, "missing.bin"))
	require.ErrorIs(t, err, os.ErrNotExist)

	garbage := filepath.Join(dir, "garbage.bin")
	require.NoError(t, os.WriteFile(garbage, bytes.Repeat([]byte("1741082400000000000,200,3000000,0,64,,\n"), 20), 0o644))
	_, _, err = ReadResults(garbage)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "garbage.bin")
}
