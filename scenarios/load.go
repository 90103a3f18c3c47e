package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrUnknownScenario is returned (wrapped) by Find for a name the catalogue does not hold.
var ErrUnknownScenario = errors.New("unknown scenario")

// LoadFile reads a catalogue file: strict YAML decoding, defaults, validation. Every problem is
// reported at once in a *ValidationError, each naming file, line and field path, e.g.
//
//	scenarios.yaml:14: scenarios[0].load.rate: must be > 0, got -5
//	scenarios.yaml:9: scenarios[0].load.ratee: unknown field (did you mean "rate"?)
//
// A scenario's backend must be one of backends, the names of those the program can run.
//
// (It is not called Load, which names the Load type.)
func LoadFile(path string, backends []string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading scenarios: %w", err)
	}
	return Parse(path, data, backends)
}

// Parse is LoadFile for a document already read; file names it in problems.
func Parse(file string, data []byte, backends []string) (*Catalog, error) {
	d := newDecoder()
	cat := &Catalog{}
	if root := d.parse(data); root != nil {
		d.lines[""] = root.Line
		d.value(root, reflect.ValueOf(cat).Elem(), "")
	}
	all := d.problems
	if !d.bad[""] { // else the document was not decoded (not YAML, not a mapping): nothing to judge
		for _, p := range cat.Validate(backends) { // before Default, so messages can tell defaults apart
			if !d.isBad(p.Path) {
				p.Line = d.lineFor(p.Path)
				all = append(all, p)
			}
		}
	}
	if len(all) > 0 {
		for i := range all {
			all[i].File = file
		}
		sortByLine(all)
		return nil, &ValidationError{Problems: all}
	}
	cat.Default()
	cat.File = file
	cat.Lines = d.lines
	return cat, nil
}

// LineOf is the line of path in the catalogue's document ("scenarios[2].gates[0]") or, for a
// path it does not hold, of its nearest ancestor it does; 0 when unknown.
func (c *Catalog) LineOf(path string) int {
	for p := path; ; p = parentPath(p) {
		if line, ok := c.Lines[p]; ok {
			return line
		}
		if p == "" {
			return 0
		}
	}
}

// yamlLine finds the line in a yaml.v3 syntax error ("yaml: line 3: did not find …").
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parse reads the single YAML document of data; nil, with a problem at "", when there is none
// or it is not YAML.
func (d *decoder) parse(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		d.syntax(err, "empty document: want apiVersion "+APIVersion+", kind "+Kind+" and scenarios")
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == io.EOF:
	case err != nil:
		d.syntax(err, "")
		return nil
	default:
		d.problemAt(next.Line, "", "a catalogue is one YAML document; found another here")
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		d.syntax(io.EOF, "empty document: want apiVersion "+APIVersion+", kind "+Kind+" and scenarios")
		return nil
	}
	return doc.Content[0]
}

// syntax records a parse error (or, for io.EOF, the empty-document message) for the whole
// document.
func (d *decoder) syntax(err error, empty string) {
	d.bad[""] = true
	if errors.Is(err, io.EOF) {
		d.problemAt(0, "", "%s", empty)
		return
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if parserProblem(msg) {
			line++
		}
	}
	d.problemAt(line, "", "invalid YAML: %s", msg)
}

// parserProblem reports whether msg is one of yaml.v3's parser (rather than scanner) errors,
// whose "line N" counts from 0: it is the line where the unfinished mapping, list or
// document began, and the scanner's errors count from 1.
func parserProblem(msg string) bool {
	return strings.HasPrefix(msg, "did not find expected <") ||
		strings.HasPrefix(msg, "did not find expected node content") ||
		strings.HasPrefix(msg, "did not find expected '-' indicator") ||
		strings.HasPrefix(msg, "did not find expected key") ||
		strings.HasPrefix(msg, "did not find expected ',' or") ||
		strings.HasPrefix(msg, "found undefined tag handle") ||
		strings.HasPrefix(msg, "found duplicate %") ||
		strings.HasPrefix(msg, "found incompatible YAML document")
}

// isBad reports whether path is, or lies under, a value that could not be decoded: its
// semantic checks would only repeat that problem.
func (d *decoder) isBad(path string) bool {
	for p := path; ; p = parentPath(p) {
		if d.bad[p] {
			return true
		}
		if p == "" {
			return false
		}
	}
}

// lineFor is the line of path's node or, for a path the document does not hold (a missing
// field, a default), of its nearest ancestor that it does hold.
func (d *decoder) lineFor(path string) int {
	for p := path; ; p = parentPath(p) {
		if line, ok := d.lines[p]; ok {
			return line
		}
		if p == "" {
			return 0
		}
	}
}

// Find returns the scenario called name; an unknown name is an ErrUnknownScenario naming the
// scenarios the catalogue holds.
func (c *Catalog) Find(name string) (*Scenario, error) {
	names := make([]string, len(c.Scenarios))
	for i := range c.Scenarios {
		if c.Scenarios[i].Name == name {
			return &c.Scenarios[i], nil
		}
		names[i] = c.Scenarios[i].Name
	}
	where := ""
	if c.File != "" {
		where = " in " + c.File
	}
	return nil, fmt.Errorf("%w %q%s%s; known: %s", ErrUnknownScenario, name, where,
		didYouMean(name, names), strings.Join(names, ", "))
}
