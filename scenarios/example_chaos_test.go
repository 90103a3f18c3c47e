package scenarios_test

import (
	"fmt"

	"github.com/meshlab/meshlab/scenarios"
)

// ExampleScenario_FaultPlan expands a catalogue scenario's Chaos Mesh faults into firings and
// picks the workloads of each, as a rerun with the same seed would.
func ExampleScenario_FaultPlan() {
	cat, err := scenarios.LoadFile("../scenarios.yaml", []string{"local"})
	if err != nil {
		panic(err)
	}
	s, _ := cat.Find("product-latency")
	plan, err := s.FaultPlan(s.Load.Duration.Duration)
	if err != nil {
		panic(err)
	}
	for _, f := range plan {
		fmt.Println(f.Name, f.Kind, f.Action, f.At, f.Duration)
	}
	// Output: product-delay NetworkChaos delay 5s 20s
}
