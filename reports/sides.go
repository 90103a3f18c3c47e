package reports

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/meshlab/meshlab/rundir"
)

// LoadSide reads one side of a comparison: a report.json file, a run directory (its
// report.json, rebuilt from its samples when missing), or a directory of repeats (the runs
// rundir.Repeats lists). wantRepeats refuses anything but the last.
func LoadSide(path string, wantRepeats bool) ([]*Report, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if wantRepeats {
			return nil, fmt.Errorf("%s: --repeat wants a directory of repeats", path)
		}
		r, err := ReadFile(path)
		return []*Report{r}, err
	}
	runs, err := rundir.Repeats(path)
	if err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		if wantRepeats {
			return nil, fmt.Errorf("%s: not a directory of repeats (no %s, no %s)", path, rundir.RepeatJSON, rundir.RepeatName(0))
		}
		r, err := ReadRun(path)
		return []*Report{r}, err
	}
	var out []*Report
	for _, d := range runs {
		r, err := ReadRun(d)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// ReadRun reads the report of the run in dir: its report.json, or, when that is missing (a run
// that died), the report rebuilt from its samples.
func ReadRun(dir string) (*Report, error) {
	r, err := ReadFile(filepath.Join(dir, rundir.ReportJSON))
	if errors.Is(err, os.ErrNotExist) {
		return Rebuild(dir)
	}
	return r, err
}

// ReadFile reads a report.json.
func ReadFile(path string) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}
