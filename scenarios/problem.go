package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a catalogue or a scenario: where it is and what is wrong.
type Problem struct {
	// File is the catalogue's path; empty for a scenario built in code.
	File string
	// Line is the 1-based line of the offending node; 0 when unknown.
	Line int
	// Path is the field path, e.g. "scenarios[0].load.rate"; empty for the whole document.
	Path string
	// Message says what is wrong, e.g. "must be > 0, got -5".
	Message string
}

// String formats the problem as "file:line: path: message", leaving out what is unknown, so
// that editors and terminals can jump to it.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			b.WriteString(":" + strconv.Itoa(p.Line))
		}
		b.WriteString(": ")
	} else if p.Line > 0 {
		b.WriteString("line " + strconv.Itoa(p.Line) + ": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError lists every problem found in a catalogue or a scenario.
type ValidationError struct {
	Problems []Problem
}

// Error writes one problem as its line; several as a count followed by one line each.
func (e *ValidationError) Error() string {
	switch len(e.Problems) {
	case 0:
		return "invalid scenario"
	case 1:
		return e.Problems[0].String()
	}
	lines := make([]string, 0, len(e.Problems)+1)
	head := fmt.Sprintf("%d problems", len(e.Problems))
	if f := e.Problems[0].File; f != "" && e.allIn(f) {
		head += " in " + f
	}
	lines = append(lines, head+":")
	for _, p := range e.Problems {
		lines = append(lines, p.String())
	}
	return strings.Join(lines, "\n")
}

func (e *ValidationError) allIn(file string) bool {
	for _, p := range e.Problems {
		if p.File != file {
			return false
		}
	}
	return true
}

// problems collects Problems; its methods keep the checks short.
type problems []Problem

// addf records a problem at path.
func (ps *problems) addf(path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// under appends the problems of a part, their paths prefixed with the part's path.
func (ps *problems) under(prefix string, sub []Problem) {
	for _, p := range sub {
		p.Path = joinPath(prefix, p.Path)
		*ps = append(*ps, p)
	}
}

// sortByLine orders problems by line, keeping the order of discovery within a line.
func sortByLine(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int { return a.Line - b.Line })
}

// joinPath appends a field name to a path: "load" + "rate" is "load.rate"; an index segment
// ("[0]") or a quoted key is appended as is.
func joinPath(path, field string) string {
	switch {
	case path == "":
		return field
	case field == "":
		return path
	case strings.HasPrefix(field, "["):
		return path + field
	}
	return path + "." + field
}

// keySegment is the path segment of a mapping key: the key itself when it is a plain word,
// else the key quoted in brackets (replicas["two words"]).
func keySegment(key string) string {
	for _, r := range key {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return "[" + strconv.Quote(key) + "]"
		}
	}
	if key == "" {
		return `[""]`
	}
	return key
}

// indexSegment is the path segment of a list item: "[3]".
func indexSegment(i int) string { return "[" + strconv.Itoa(i) + "]" }

// parentPath drops the last segment of a path: "load.mix[1].route" → "load.mix[1]" → "load.mix".
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}
