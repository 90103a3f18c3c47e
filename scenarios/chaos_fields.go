package scenarios

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/chaos-mesh/chaos-mesh/api/genericwebhook"
	cm "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
)

var jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// add records a problem as it is.
func (ps *problems) add(p Problem) { *ps = append(*ps, p) }

func typeOf(v any) reflect.Type { return reflect.TypeOf(v).Elem() }

// unknownFields reports every key of the JSON value v that names no field of t, matched
// exactly (the API server's JSON decoding is case-sensitive), with its path.
func unknownFields(ps *problems, v any, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshalerType) {
		return
	}
	switch val := v.(type) {
	case map[string]any:
		switch t.Kind() {
		case reflect.Struct:
			fields := jsonFields(t)
			for _, k := range sortedKeys(val) {
				ft, ok := fields[k]
				if !ok {
					ps.addf(joinPath(path, keySegment(k)), "%s", unknownField(k, sortedKeys(fields)))
					continue
				}
				unknownFields(ps, val[k], ft, joinPath(path, keySegment(k)))
			}
		case reflect.Map:
			for k, item := range val {
				unknownFields(ps, item, t.Elem(), joinPath(path, keySegment(k)))
			}
		}
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for i, item := range val {
				unknownFields(ps, item, t.Elem(), path+indexSegment(i))
			}
		}
	}
}

// jsonFields maps a struct's JSON names to field types, flattening inline and embedded structs.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" && opts == "" || !f.IsExported() && !f.Anonymous {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if name == "" && f.Anonymous && ft.Kind() == reflect.Struct {
			for k, v := range jsonFields(ft) {
				if _, shadowed := out[k]; !shadowed {
					out[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// ScheduleTemplate is the Schedule's template as the object each firing creates (named after
// the Schedule, in its namespace), and its kind; nil for a kind meshlab cannot realize.
func ScheduleTemplate(s *cm.Schedule) (string, any) {
	meta := *s.ObjectMeta.DeepCopy()
	it := s.Spec.ScheduleItem.DeepCopy()
	kind := string(s.Spec.Type)
	var tmpl any
	switch {
	case s.Spec.Type == cm.ScheduleTypePodChaos && it.PodChaos != nil:
		tmpl = &cm.PodChaos{ObjectMeta: meta, Spec: *it.PodChaos}
	case s.Spec.Type == cm.ScheduleTypeNetworkChaos && it.NetworkChaos != nil:
		tmpl = &cm.NetworkChaos{ObjectMeta: meta, Spec: *it.NetworkChaos}
	case s.Spec.Type == cm.ScheduleTypeHTTPChaos && it.HTTPChaos != nil:
		tmpl = &cm.HTTPChaos{ObjectMeta: meta, Spec: *it.HTTPChaos}
	case s.Spec.Type == cm.ScheduleTypeStressChaos && it.StressChaos != nil:
		tmpl = &cm.StressChaos{ObjectMeta: meta, Spec: *it.StressChaos}
	default:
		return kind, nil
	}
	genericwebhook.Default(tmpl) // as the webhook defaults each child
	return kind, tmpl
}
