// Package scenarios is meshlab's scenario model: the catalogue document (scenarios.yaml), its
// strict loader, defaults and validation.
//
// A catalogue is a versioned document, in the manner of kind's cluster config:
//
//	apiVersion: meshlab.dev/v1alpha1
//	kind: ScenarioCatalog
//	scenarios:
//	  - name: baseline
//	    load: {rate: 200, duration: 25s}
//
// Loading is strict and reports every problem of the document at once, each naming the file,
// the line and the field path:
//
//	bytes ──yaml.v3 parse──▶ yaml.Node tree ──decode (walker)──▶ Catalog ──Default──▶ Validate
//	          │ syntax errors      │ unknown fields (did you mean …?),    │ semantic checks, with
//	          │                    │ wrong types, duplicate keys,         │ lines looked up from the
//	          │                    │ bad durations and percentages        │ paths the walker recorded
//	          └────────────────────┴──────────────────────────────────────┴──▶ *ValidationError
//
// The walker decodes node by node rather than through yaml.v3's own decoder, because that one
// stops at the first type error and names no field paths. It follows the yaml tags of the
// types in types.go, so a field added there is decoded, checked for typos and given a line
// without any change here.
//
// Scenario.Default fills the documented defaults and is idempotent; Scenario.Validate judges a
// scenario as it will run (with defaults) and returns problems with paths relative to the
// scenario ("load.rate"); LoadFile and Parse prefix them ("scenarios[0].load.rate") and add
// file and line.
//
// Duration and Percent read and write themselves in YAML and JSON ("250ms", "99.9%"), so a
// Scenario embedded in a report as JSON can be read back and run again unchanged.
//
// # Policies and faults
//
// A scenario may inline a mesh policy (policy, mesh/policy's MeshPolicy, decoded by the same
// walker and checked by its Validate) and change it at offsets (policyChanges). Its faults are
// Chaos Mesh objects, kept verbatim (FaultSpec.Object, JSON) with meshlab's "at":
//
//	faults:
//	  - at: 5s
//	    apiVersion: chaos-mesh.org/v1alpha1
//	    kind: NetworkChaos
//	    metadata: {name: product-delay}
//	    spec: {action: delay, mode: all, selector: {labelSelectors: {app: product}}, delay: {latency: 100ms}}
//
//	YAML node ──toJSON──▶ JSON ──unknown fields (exact case)──▶ json.Unmarshal into v1alpha1
//	  ──Chaos Mesh's webhook defaults and validation──▶ meshlab's checks (kind/action it can
//	  realize, selector matches a workload of the topology)
//
// The object is decoded as the API server would hand it to Chaos Mesh (JSON semantics:
// "value: '1'", durations as strings). Select picks workloads as Chaos Mesh does, from a
// source derived from the run's seed (FaultRand); Firings evaluates a Schedule on the run's
// clock (RunEpoch); FaultPlan expands every fault and Schedule into concrete firings.
package scenarios
