package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/meshlab/meshlab/rundir"
)

// Rebuild builds the report of the run in dir from its run.json and results.bin, without a
// rerun: the report the run wrote, byte for byte, or — for a run that died — the report of what
// it measured.
func Rebuild(dir string) (*Report, error) {
	meta, err := ReadMeta(dir)
	if err != nil {
		return nil, err
	}
	results, dropped, err := ReadResults(filepath.Join(dir, rundir.Results))
	if err != nil {
		return nil, err
	}
	r := Analyze(meta, results)
	r.Run.DroppedBytes = dropped
	return r, nil
}

// WriteFiles writes r to dir as report.json, report.md, junit.xml and report.html, each
// replaced whole.
func WriteFiles(dir string, r *Report) error {
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{{rundir.ReportJSON, r.WriteJSON}, {rundir.ReportMarkdown, r.WriteMarkdown}, {rundir.JUnit, r.WriteJUnit}, {rundir.ReportHTML, r.WriteHTML}} {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			return fmt.Errorf("rendering %s: %w", f.name, err)
		}
		if err := writeFileAtomic(filepath.Join(dir, f.name), b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// WriteJSON writes r as report.json: indented, keys in a fixed order, the same bytes for the
// same report.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// ReadJSON reads a report written by WriteJSON.
func ReadJSON(rd io.Reader) (*Report, error) {
	var r Report
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("reading report: %w", err)
	}
	if r.SchemaVersion > SchemaVersion {
		return nil, fmt.Errorf("reading report: %w %d (this build reads up to %d)", ErrSchemaVersion, r.SchemaVersion, SchemaVersion)
	}
	return &r, nil
}
