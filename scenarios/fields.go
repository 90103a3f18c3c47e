package scenarios

import (
	"reflect"
	"strings"
	"sync"
)

// structFields are the YAML fields of a struct type: their names in declaration order (for
// messages and suggestions) and the index path of the Go field each name decodes into.
type structFields struct {
	names []string
	index map[string][]int
}

var fieldCache sync.Map // reflect.Type → *structFields

// fieldsOf reads the yaml tags of a struct type as yaml.v3 does: the tag's name, else the
// field's name in lower case; "-" and unexported fields are not part of the document, and the
// fields of an ",inline" struct field are read as the outer struct's own.
func fieldsOf(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	fs := &structFields{index: map[string][]int{}}
	fs.add(t, nil)
	f, _ := fieldCache.LoadOrStore(t, fs)
	return f.(*structFields)
}

func (fs *structFields) add(t reflect.Type, outer []int) {
	for i := range t.NumField() {
		sf := t.Field(i)
		index := append(append([]int(nil), outer...), i)
		name, opts, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		switch {
		case hasOption(opts, "inline") && sf.Type.Kind() == reflect.Struct:
			fs.add(sf.Type, index)
			continue
		case name == "-" || !sf.IsExported():
			continue
		case name == "":
			name = strings.ToLower(sf.Name)
		}
		fs.names = append(fs.names, name)
		fs.index[name] = index
	}
}

func hasOption(opts, opt string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == opt {
			return true
		}
	}
	return false
}
