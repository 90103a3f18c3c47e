package scenarios

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxVisits bounds the nodes one document may make the walker visit, aliases included, so a
// document of nested aliases ("billion laughs") cannot run the loader out of time or memory.
const maxVisits = 1 << 18

var (
	unmarshalerType     = reflect.TypeFor[yaml.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	nodeDecoderType     = reflect.TypeFor[nodeDecoder]()
)

// nodeDecoder is implemented by values that decode their own node with the walker, so that
// their problems keep their lines (FaultSpec).
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node, path string)
}

// decoder walks a yaml.Node tree into Go values by their yaml tags. It never stops at a
// problem: it records it and goes on with the next node. On the way it records the line of
// every path it meets, so that later (semantic) problems can be placed too.
type decoder struct {
	problems problems
	lines    map[string]int  // path → line of its node (the key's line for a mapping or list)
	bad      map[string]bool // paths whose value could not be decoded
	visits   int
}

func newDecoder() *decoder {
	return &decoder{lines: map[string]int{}, bad: map[string]bool{}}
}

// problemAt records a problem at a line.
func (d *decoder) problemAt(line int, path, format string, args ...any) {
	d.problems = append(d.problems, Problem{Line: line, Path: path, Message: fmt.Sprintf(format, args...)})
}

// badValue records a value that could not be decoded; checks of that path are then moot.
func (d *decoder) badValue(n *yaml.Node, path, msg string) {
	d.bad[path] = true
	d.problemAt(n.Line, path, "%s", msg)
}

// value decodes n into v, recording problems under path.
func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	if n = d.resolve(n, path); n == nil || isNull(n) {
		return // absent: the zero value, defaulted later
	}
	if v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) {
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			d.badValue(n, path, err.Error())
		}
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(nodeDecoderType) {
		v.Addr().Interface().(nodeDecoder).decodeNode(d, n, path)
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(textUnmarshalerType) {
		d.text(n, v.Addr().Interface().(encoding.TextUnmarshaler), path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.value(n, v.Elem(), path)
	case reflect.Struct:
		d.structure(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	case reflect.Slice:
		d.sequence(n, v, path)
	default:
		d.scalar(n, v, path)
	}
}

// resolve follows aliases and counts the visit; nil when the document is too large.
func (d *decoder) resolve(n *yaml.Node, path string) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil {
		return nil
	}
	if d.visits++; d.visits == maxVisits {
		d.problemAt(n.Line, path, "document too large (too many nodes or aliases)")
		d.bad[""] = true // what was not decoded is not judged
	}
	if d.visits >= maxVisits {
		return nil
	}
	return n
}

// structure decodes a mapping into a struct: every key must name a field.
func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	fields := fieldsOf(v.Type())
	d.pairs(n, path, func(key, val *yaml.Node, keyPath string) {
		i, ok := fields.index[key.Value]
		if !ok {
			d.problemAt(key.Line, keyPath, "%s", unknownField(key.Value, fields.names))
			return
		}
		d.value(val, v.FieldByIndex(i), keyPath)
	})
}

// unknownField is the message for a key that names no field of a struct.
func unknownField(key string, known []string) string {
	if hint := didYouMean(key, known); hint != "" {
		return "unknown field" + hint
	}
	return "unknown field; known fields are " + strings.Join(known, ", ")
}

// mapping decodes a mapping into a map with string keys.
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	d.pairs(n, path, func(key, val *yaml.Node, keyPath string) {
		elem := reflect.New(v.Type().Elem()).Elem()
		d.value(val, elem, keyPath)
		v.SetMapIndex(reflect.ValueOf(key.Value).Convert(v.Type().Key()), elem)
	})
}

// pairs calls fn for each key and value of a mapping node, after checking that n is a
// mapping, that each key is a plain string and that no key repeats. It records each path's line.
func (d *decoder) pairs(n *yaml.Node, path string, fn func(key, val *yaml.Node, keyPath string)) {
	if n.Kind != yaml.MappingNode {
		d.badValue(n, path, "want a mapping, got "+describe(n))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		switch {
		case key.Kind != yaml.ScalarNode:
			d.problemAt(key.Line, path, "want a field name, got %s", describe(key))
			continue
		case key.ShortTag() == "!!merge":
			d.problemAt(key.Line, path, "merge keys (<<) are not supported; use an alias (*name) for the whole value")
			continue
		}
		keyPath := joinPath(path, keySegment(key.Value))
		if first, dup := seen[key.Value]; dup {
			d.problemAt(key.Line, keyPath, "duplicate key, first defined on line %d", first)
			continue
		}
		seen[key.Value] = key.Line
		d.lines[keyPath] = lineOf(key, val)
		fn(key, val, keyPath)
	}
}

// sequence decodes a list into a slice.
func (d *decoder) sequence(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.badValue(n, path, "want a list, got "+describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		itemPath := path + indexSegment(i)
		d.lines[itemPath] = item.Line
		d.value(item, s.Index(i), itemPath)
	}
	v.Set(s)
}

// text decodes a string scalar through encoding.TextUnmarshaler (policy.Duration).
func (d *decoder) text(n *yaml.Node, u encoding.TextUnmarshaler, path string) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		d.badValue(n, path, "want a string, got "+describe(n))
		return
	}
	if err := u.UnmarshalText([]byte(n.Value)); err != nil {
		d.badValue(n, path, err.Error())
	}
}

// scalar decodes a string, number or boolean; the node's resolved tag must fit the kind, so a
// quoted "5" is not a number and an unquoted 5 is not a string.
func (d *decoder) scalar(n *yaml.Node, v reflect.Value, path string) {
	want, tags := scalarKind(v.Kind())
	if n.Kind != yaml.ScalarNode || !strings.Contains(tags, n.ShortTag()+" ") {
		d.badValue(n, path, "want "+want+", got "+describe(n))
		return
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		d.badValue(n, path, "want "+want+", got "+describe(n))
		return
	}
	if v.Kind() == reflect.Float64 && (math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0)) {
		d.badValue(n, path, "want a finite number, got "+n.Value)
	}
}

// scalarKind names what a Go kind wants and the YAML tags (each followed by a space) that fit it.
func scalarKind(k reflect.Kind) (want, tags string) {
	switch k {
	case reflect.String:
		return "a string", "!!str "
	case reflect.Bool:
		return "a boolean", "!!bool "
	case reflect.Float32, reflect.Float64:
		return "a number", "!!int !!float "
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer", "!!int "
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer", "!!int "
	}
	panic(fmt.Sprintf("scenarios: no YAML decoding for %s", k))
}

// describe says what a node is, for "want X, got Y" messages: string "fast", number 5,
// boolean true, null, a mapping, a list.
func describe(n *yaml.Node) string {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.DocumentNode:
		return "a document"
	}
	switch tag := n.ShortTag(); tag {
	case "!!str":
		return fmt.Sprintf("string %q", n.Value)
	case "!!int", "!!float":
		return "number " + n.Value
	case "!!bool":
		return "boolean " + n.Value
	case "!!null":
		return "null"
	default:
		return fmt.Sprintf("%s %q", strings.TrimPrefix(tag, "!!"), n.Value)
	}
}

// isNull reports whether n is an explicit or implicit null ("key:" with no value).
func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// lineOf is the line a path points at: the value's line for a scalar, the key's line for a
// mapping or list (whose own line is that of its first entry).
func lineOf(key, val *yaml.Node) int {
	if val.Kind == yaml.ScalarNode {
		return val.Line
	}
	return key.Line
}
