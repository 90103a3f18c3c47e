package rundir

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Names of the files and directories in a run directory.
const (
	Meta           = "run.json"
	Results        = "results.bin"
	ReportJSON     = "report.json"
	ReportMarkdown = "report.md"
	ReportHTML     = "report.html"
	JUnit          = "junit.xml"
	Logs           = "logs"
	Processes      = "processes.jsonl"
	RepeatJSON     = "repeat.json"
	RepeatMarkdown = "repeat.md"
)

// DefaultRoot is where run directories go when no --out names one.
const DefaultRoot = "runs"

// timeFormat stamps directory names: UTC, sortable, to the millisecond.
const timeFormat = "20060102-150405.000"

// Name is a run directory's base name: prefix (the scenario's name, or e.g. "up") and the time
// in UTC, "baseline-20261204-161500.123".
func Name(prefix string, t time.Time) string {
	return prefix + "-" + t.UTC().Format(timeFormat)
}

// New is the path of a new run directory for prefix under root (empty: DefaultRoot), named
// for the current time.
func New(root, prefix string) string {
	if root == "" {
		root = DefaultRoot
	}
	return filepath.Join(root, Name(prefix, time.Now()))
}

// Create makes dir (and its parents) for a run; a directory that already holds anything is
// refused, so no run ever mixes its files with another's.
func Create(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating run directory: %w", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		return fmt.Errorf("run directory %s is not empty", dir)
	}
	return nil
}

// Repeat is the directory of run i (from 0) of a repeat directory: dir/run-<i+1>.
func Repeat(dir string, i int) string { return filepath.Join(dir, RepeatName(i)) }

// RepeatName is the base name of run i (from 0) of a repeat: "run-<i+1>".
func RepeatName(i int) string { return "run-" + strconv.Itoa(i+1) }

// Repeats lists the run directories of a repeat directory: those its repeat.json lists, else
// every run-1, run-2, … present. A plain run directory has none (nil, nil).
func Repeats(dir string) ([]string, error) {
	path := filepath.Join(dir, RepeatJSON)
	if b, err := os.ReadFile(path); err == nil {
		var sum struct {
			Runs []string `json:"runs"` // relative to dir
		}
		if err := json.Unmarshal(b, &sum); err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		out := make([]string, len(sum.Runs))
		for i, r := range sum.Runs {
			out[i] = filepath.Join(dir, r)
		}
		return out, nil
	}
	var out []string
	for i := 0; ; i++ {
		d := Repeat(dir, i)
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return out, nil
		}
		out = append(out, d)
	}
}
