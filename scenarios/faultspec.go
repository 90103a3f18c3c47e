package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// decodeNode reads a fault: "at" as a Duration, every other key as part of the Chaos Mesh
// object, converted to JSON as the API server would receive it (kubectl's YAML→JSON).
func (fs *FaultSpec) decodeNode(d *decoder, n *yaml.Node, path string) {
	obj := map[string]any{}
	d.pairs(n, path, func(key, val *yaml.Node, keyPath string) {
		if key.Value == "at" {
			d.value(val, reflect.ValueOf(&fs.At).Elem(), keyPath)
			return
		}
		obj[key.Value] = d.toJSON(val, keyPath)
	})
	raw, err := json.Marshal(obj)
	if err != nil {
		d.badValue(n, path, "cannot convert to JSON: "+err.Error())
		return
	}
	fs.Object = raw
}

// toJSON converts a YAML node to a JSON value (map[string]any, []any, string, float64 or
// int64, bool, nil), recording the line of every path.
func (d *decoder) toJSON(n *yaml.Node, path string) any {
	if n = d.resolve(n, path); n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		d.pairs(n, path, func(key, val *yaml.Node, keyPath string) { m[key.Value] = d.toJSON(val, keyPath) })
		return m
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, item := range n.Content {
			p := path + indexSegment(i)
			d.lines[p] = item.Line
			l[i] = d.toJSON(item, p)
		}
		return l
	}
	return scalarJSON(n)
}

// scalarJSON is a scalar's JSON value by its resolved YAML tag; timestamps and other tags stay
// strings, as in sigs.k8s.io/yaml.
func scalarJSON(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return i
		}
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	}
	return n.Value
}

// MarshalJSON writes the object with "at" added (when set).
func (fs FaultSpec) MarshalJSON() ([]byte, error) {
	m := map[string]json.RawMessage{}
	if len(fs.Object) > 0 {
		if err := json.Unmarshal(fs.Object, &m); err != nil {
			return nil, fmt.Errorf("fault object: %w", err)
		}
	}
	if fs.At.Duration != 0 {
		m["at"] = json.RawMessage(strconv.Quote(fs.At.String()))
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (fs *FaultSpec) UnmarshalJSON(b []byte) error {
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("fault: %w", err)
	}
	*fs = FaultSpec{}
	if at, ok := m["at"]; ok {
		if err := json.Unmarshal(at, &fs.At); err != nil {
			return fmt.Errorf("fault at: %w", err)
		}
		delete(m, "at")
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	fs.Object = compact(raw)
	return nil
}

// MarshalYAML writes the object's mapping with "at" added (when set).
func (fs FaultSpec) MarshalYAML() (any, error) {
	var m map[string]any
	b, err := fs.MarshalJSON()
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// compact re-encodes JSON through map[string]any so equal objects have equal bytes.
func compact(raw []byte) json.RawMessage {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return raw
	}
	out, err := json.Marshal(v)
	if err != nil {
		return raw
	}
	return out
}
