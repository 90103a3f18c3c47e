package rundir

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestName(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 4, 16, 15, 0, 123e6, time.FixedZone("CET", 3600))
	assert.Equal(t, "baseline-20261204-151500.123", Name("baseline", at), "UTC, to the millisecond")
	assert.Equal(t, filepath.Join("out", "x-"), New("out", "x")[:len("out/x-")])
	assert.Equal(t, DefaultRoot, filepath.Dir(New("", "x")))
}

func TestCreateRefusesANonEmptyDirectory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a", "b")
	require.NoError(t, Create(dir))
	require.NoError(t, Create(dir), "an empty directory is fine")
	require.NoError(t, os.WriteFile(filepath.Join(dir, Meta), []byte("{}"), 0o644))
	err := Create(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not empty")
}

func TestRepeats(t *testing.T) {
	t.Parallel()
	plain := t.TempDir()
	runs, err := Repeats(plain)
	require.NoError(t, err)
	assert.Empty(t, runs, "a plain run has no repeats")

	bare := t.TempDir()
	for i := range 3 {
		require.NoError(t, os.Mkdir(Repeat(bare, i), 0o755))
	}
	require.NoError(t, os.Mkdir(filepath.Join(bare, "run-5"), 0o755)) // after a gap: not listed
	runs, err = Repeats(bare)
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(bare, "run-1"), filepath.Join(bare, "run-2"), filepath.Join(bare, "run-3")}, runs)

	listed := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(listed, RepeatJSON), []byte(`{"runs":["run-2","run-1"]}`), 0o644))
	runs, err = Repeats(listed)
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(listed, "run-2"), filepath.Join(listed, "run-1")}, runs, "repeat.json decides")

	broken := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(broken, RepeatJSON), []byte(`{`), 0o644))
	_, err = Repeats(broken)
	assert.ErrorContains(t, err, RepeatJSON)
}

func TestSendLag(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	_, ok := SendLag(h)
	assert.False(t, ok, "no annotation")
	SetSendLag(h, -1500*time.Microsecond)
	lag, ok := SendLag(h)
	assert.True(t, ok)
	assert.Equal(t, -1500*time.Microsecond, lag, "signed nanoseconds")
	h.Set(SendLagHeader, "soon")
	_, ok = SendLag(h)
	assert.False(t, ok, "unparseable")
}
