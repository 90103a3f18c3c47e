package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/rundir"
)

// writeRun writes a run directory as the harness leaves it: run.json and results.bin.
func writeRun(t *testing.T, meta Meta, rs []vegeta.Result) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, WriteMeta(dir, meta))
	stream, _ := encodeResults(t, rs)
	require.NoError(t, os.WriteFile(filepath.Join(dir, rundir.Results), stream, 0o644))
	return dir
}

func jsonOf(t *testing.T, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, r.WriteJSON(&b))
	return b.Bytes()
}

func TestRebuildIsByteIdentical(t *testing.T) {
	t.Parallel()
	meta := syntheticMeta()
	meta.StartedAt = t0.In(time.FixedZone("CET", 3600)) // as time.Now gives it, not UTC
	rs := syntheticRun()
	original := jsonOf(t, Analyze(meta, rs))

	dir := writeRun(t, meta, rs)
	rebuilt, err := Rebuild(dir)
	require.NoError(t, err)
	assert.Equal(t, string(original), string(jsonOf(t, rebuilt)), "rebuilt from the run directory")

	require.NoError(t, WriteFiles(dir, rebuilt))
	onDisk, err := os.ReadFile(filepath.Join(dir, rundir.ReportJSON))
	require.NoError(t, err)
	again, err := Rebuild(dir)
	require.NoError(t, err)
	assert.Equal(t, string(onDisk), string(jsonOf(t, again)), "rebuilt next to its own report.json")

	md, err := os.ReadFile(filepath.Join(dir, rundir.ReportMarkdown))
	require.NoError(t, err)
	var want bytes.Buffer
	require.NoError(t, again.WriteMarkdown(&want))
	assert.Equal(t, want.String(), string(md))
}

func TestReadJSONRoundTrip(t *testing.T) {
	t.Parallel()
	original := jsonOf(t, Analyze(syntheticMeta(), syntheticRun()))
	r, err := ReadJSON(bytes.NewReader(original))
	require.NoError(t, err)
	assert.Equal(t, string(original), string(jsonOf(t, r)))

	_, err = ReadJSON(strings.NewReader(`{"schemaVersion": 2}`))
	require.ErrorIs(t, err, ErrSchemaVersion)
}

func TestRebuildTruncatedRun(t *testing.T) {
	t.Parallel()
	meta := syntheticMeta()
	meta.Interrupted = true
	rs := syntheticRun()[:600]
	dir := writeRun(t, meta, rs)
	path := filepath.Join(dir, rundir.Results)
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.NoError(t, os.Truncate(path, st.Size()-5))

	r, err := Rebuild(dir)
	require.NoError(t, err)
	assert.Equal(t, 599, r.Run.Samples)
	assert.Positive(t, r.Run.DroppedBytes)
	assert.True(t, r.Run.Interrupted)
	var lastSend time.Time
	for i := range rs[:599] {
		lastSend = latest(lastSend, rs[i].Timestamp.Add(sendLag(&rs[i])))
	}
	assert.Equal(t, lastSend, r.Window.End, "an interrupted run ends at its last send")
	var md bytes.Buffer
	require.NoError(t, r.WriteMarkdown(&md))
	assert.Contains(t, md.String(), "**Interrupted**")
	assert.Contains(t, md.String(), "bytes dropped")
}

func TestMetaRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	meta := syntheticMeta()
	meta.TargetRate, meta.Interrupted = 99.5, true
	require.NoError(t, WriteMeta(dir, meta))
	got, err := ReadMeta(dir)
	require.NoError(t, err)
	assert.Equal(t, meta, got)

	b, err := os.ReadFile(filepath.Join(dir, rundir.Meta))
	require.NoError(t, err)
	var keys map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &keys))
	assert.JSONEq(t, "1", string(keys["schemaVersion"]))
	assert.JSONEq(t, "1500", string(keys["meshReadyMs"]))

	require.NoError(t, os.WriteFile(filepath.Join(dir, rundir.Meta), []byte(`{"schemaVersion": 9}`), 0o644))
	_, err = ReadMeta(dir)
	require.ErrorIs(t, err, ErrSchemaVersion)

	_, err = ReadMeta(t.TempDir())
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestRebuildWithoutSamples(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, WriteMeta(dir, syntheticMeta()))
	_, err := Rebuild(dir)
	require.ErrorIs(t, err, os.ErrNotExist)
}
