package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/chaos-mesh/chaos-mesh/api/genericwebhook"
	cm "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ChaosAPIVersion is the apiVersion of every Chaos Mesh object a scenario may hold.
const ChaosAPIVersion = "chaos-mesh.org/v1alpha1"

// ChaosKinds are the Chaos Mesh kinds meshlab can realize; a Schedule may wrap any of the
// first four.
var ChaosKinds = []string{"PodChaos", "NetworkChaos", "HTTPChaos", "StressChaos", "Schedule"}

// Realizable says, for messages, which kinds and actions meshlab realizes.
const Realizable = "PodChaos (pod-kill, pod-failure, container-kill), NetworkChaos (netem, delay, " +
	"loss, corrupt, duplicate, bandwidth, partition), HTTPChaos (abort, delay, replace, patch), " +
	"StressChaos (cpu, memory) and Schedule of those"

// newChaos is an empty typed object of a realizable kind; nil for any other kind.
func newChaos(kind string) any {
	switch kind {
	case "PodChaos":
		return &cm.PodChaos{}
	case "NetworkChaos":
		return &cm.NetworkChaos{}
	case "HTTPChaos":
		return &cm.HTTPChaos{}
	case "StressChaos":
		return &cm.StressChaos{}
	case "Schedule":
		return &cm.Schedule{}
	}
	return nil
}

// chaosHeader is what every Chaos Mesh object starts with.
type chaosHeader struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

// DecodeChaos decodes a Chaos Mesh object as the API server hands it to Chaos Mesh (JSON,
// unknown fields refused), applies Chaos Mesh's defaults (the object's namespace defaults to
// namespace) and runs Chaos Mesh's own validation. It returns the typed object
// (*v1alpha1.PodChaos, …) and every problem, with paths relative to the object.
func DecodeChaos(raw json.RawMessage, namespace string) (any, []Problem) {
	var ps problems
	var h chaosHeader
	if err := json.Unmarshal(raw, &h); err != nil {
		ps.addf("", "want a Chaos Mesh object (apiVersion, kind, metadata, spec): %s", jsonMessage(err))
		return nil, ps
	}
	checkConst(&ps, "apiVersion", h.APIVersion, ChaosAPIVersion)
	obj := newChaos(h.Kind)
	switch {
	case h.Kind == "":
		ps.addf("kind", "required: one of %s", strings.Join(ChaosKinds, ", "))
	case obj == nil:
		ps.addf("kind", "%s cannot be realized by meshlab; it realizes %s", h.Kind, Realizable)
	}
	if h.Metadata.Name == "" {
		ps.addf("metadata.name", "required")
	}
	if obj == nil || len(ps) > 0 {
		return nil, ps
	}
	var generic any
	_ = json.Unmarshal(raw, &generic)
	unknownFields(&ps, generic, typeOf(obj), "")
	if err := strictUnmarshal(raw, obj); err != nil && len(ps) == 0 {
		ps.add(typeProblem(err))
	}
	if len(ps) > 0 {
		return nil, ps
	}
	if h.Metadata.Namespace == "" {
		setNamespace(obj, namespace)
	}
	ps = append(ps, chaosMeshValidate(obj)...)
	return obj, ps
}

// strictUnmarshal is json.Unmarshal refusing unknown fields.
func strictUnmarshal(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// typeProblem places a JSON decoding error at its field.
func typeProblem(err error) Problem {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return Problem{Path: cmPath(te.Field), Message: fmt.Sprintf("want %s, got %s", jsonType(te.Type.String()), te.Value)}
	}
	return Problem{Message: jsonMessage(err)}
}

func jsonType(goType string) string {
	switch {
	case strings.Contains(goType, "int"):
		return "an integer"
	case strings.Contains(goType, "float"):
		return "a number"
	case goType == "string" || strings.HasSuffix(goType, "Mode") || strings.HasSuffix(goType, "Action"):
		return "a string"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	}
	return "a mapping"
}

func jsonMessage(err error) string { return strings.TrimPrefix(err.Error(), "json: ") }

// setNamespace gives the object the scenario's namespace, as kubectl apply -n would.
func setNamespace(obj any, ns string) {
	if o, ok := obj.(interface{ SetNamespace(string) }); ok {
		o.SetNamespace(ns)
	}
}

// chaosMeshValidate applies Chaos Mesh's admission webhooks: defaults, then validation.
func chaosMeshValidate(obj any) []Problem {
	var errs field.ErrorList
	if s, ok := obj.(*cm.Schedule); ok {
		s.Spec.ConcurrencyPolicy.Default()
		c := s.DeepCopy() // Chaos Mesh's schedule validation defaults the template in place
		errs = c.Spec.Validate(&c.Spec)
	} else {
		genericwebhook.Default(obj)
		errs = genericwebhook.Validate(obj)
	}
	var ps problems
	seen := map[string]bool{}
	for _, e := range errs {
		key := string(e.Type) + fmt.Sprint(e.BadValue) + e.Detail
		if seen[key] {
			continue // Chaos Mesh walks embedded selectors twice
		}
		seen[key] = true
		ps.addf(cmPath(e.Field), "Chaos Mesh: %s", e.Error())
	}
	return ps
}

// cmPath turns Chaos Mesh's Go field path ("Spec.ContainerSelector.PodSelector.value",
// "spec.schedule") into the document's ("spec.value"), dropping embedded type names.
func cmPath(p string) string {
	var out []string
	for _, seg := range strings.Split(p, ".") {
		if slices.Contains([]string{"ContainerSelector", "PodSelector", "GenericSelectorSpec", "EmbedChaos", "ScheduleItem", "TcParameter"}, seg) {
			continue
		}
		if seg != "" {
			seg = strings.ToLower(seg[:1]) + seg[1:]
		}
		out = append(out, seg)
	}
	return strings.Join(out, ".")
}
