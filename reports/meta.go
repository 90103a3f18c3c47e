package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/meshlab/meshlab/rundir"
	"github.com/meshlab/meshlab/scenarios"
)

// SchemaVersion is the version of report.json and run.json. Adding a field keeps it; changing
// or removing one bumps it.
const SchemaVersion = 1

// ErrSchemaVersion is returned for a run.json or report.json newer than this build understands.
var ErrSchemaVersion = errors.New("unsupported schema version")

// Meta is what the harness knows about a run besides its samples: run.json, written when the
// run starts and again when it ends.
type Meta struct {
	Scenario    scenarios.Scenario `json:"scenario"` // as run, defaults filled
	Seed        uint64             `json:"seed"`
	Backend     string             `json:"backend"`
	RunID       string             `json:"runId"`
	StartedAt   time.Time          `json:"startedAt"` // attack start: the origin of intended send times
	Versions    Versions           `json:"versions"`
	Machine     Machine            `json:"machine"`
	MeshReady   time.Duration      `json:"-"`           // from run start to mesh ready; JSON: meshReadyMs
	Interrupted bool               `json:"interrupted"` // cut short: the report covers what was measured
	// TargetRate is the mean scheduled rate over the measured window (req/s); 0: Analyze
	// derives it from the scenario's load profile.
	TargetRate float64 `json:"targetRate"`
	// ScheduledRequests is how many requests the schedule called for over the whole attack.
	ScheduledRequests int `json:"scheduledRequests"`

	Faults        []FaultRecord `json:"faults"`        // faults as scheduled and realized
	PolicyChanges []PolicyMark  `json:"policyChanges"` // policy versions pushed during the run
	HostCPU       []CPUSample   `json:"hostCPU"`       // whole-host CPU, sampled every second
	Mesh          []MeshScrape  `json:"mesh"`          // sidecar counters, summed; may be empty
	// Ejections are the outlier ejections the proxies made, in any order (read from each
	// proxy's admin /v1/stats at every mesh scrape and every 2 s between); Analyze sorts them.
	Ejections   []EjectionEvent `json:"ejections"`
	Gates       []string        `json:"gates"`       // gate expressions from the scenario
	Repeat      int             `json:"repeat"`      // how many times the scenario runs (0 or 1: once)
	RepeatIndex int             `json:"repeatIndex"` // which of those runs this is, from 0
}

// Versions are the versions of the software that made a run.
type Versions struct {
	Meshlab string `json:"meshlab"`
	Go      string `json:"go"`
	Vegeta  string `json:"vegeta"`
}

// Machine is the machine a run ran on.
type Machine struct {
	OS       string `json:"os"`
	Arch     string `json:"arch"`
	CPUs     int    `json:"cpus"`
	Hostname string `json:"hostname"`
}

// metaAlias has Meta's fields without its methods.
type metaAlias Meta

// metaJSON is run.json: Meta with its schema version and its durations in milliseconds.
type metaJSON struct {
	SchemaVersion int `json:"schemaVersion"`
	*metaAlias
	MeshReadyMs Duration `json:"meshReadyMs"`
}

// MarshalJSON writes m as run.json holds it.
func (m Meta) MarshalJSON() ([]byte, error) {
	return json.Marshal(metaJSON{SchemaVersion: SchemaVersion, metaAlias: (*metaAlias)(&m), MeshReadyMs: Duration(m.MeshReady)})
}

// UnmarshalJSON reads run.json; a file without a schema version is taken as version 1.
func (m *Meta) UnmarshalJSON(b []byte) error {
	var w metaJSON
	w.metaAlias = (*metaAlias)(m)
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if w.SchemaVersion > SchemaVersion {
		return fmt.Errorf("%w %d (this build reads up to %d)", ErrSchemaVersion, w.SchemaVersion, SchemaVersion)
	}
	m.MeshReady = time.Duration(w.MeshReadyMs)
	return nil
}

// WriteMeta writes m to dir/run.json, replacing it whole: a reader never sees half a file.
func WriteMeta(dir string, m Meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", rundir.Meta, err)
	}
	return writeFileAtomic(filepath.Join(dir, rundir.Meta), append(b, '\n'))
}

// ReadMeta reads dir/run.json.
func ReadMeta(dir string) (Meta, error) {
	path := filepath.Join(dir, rundir.Meta)
	b, err := os.ReadFile(path)
	if err != nil {
		return Meta{}, fmt.Errorf("reading run metadata: %w", err)
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return Meta{}, fmt.Errorf("reading %s: %w", path, err)
	}
	return m, nil
}

// writeFileAtomic writes b to a temporary file beside path and renames it over path.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
