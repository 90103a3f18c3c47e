package scenarios_test

import (
	"fmt"

	"github.com/meshlab/meshlab/scenarios"
)

func ExampleParse() {
	_, err := scenarios.Parse("scenarios.yaml", []byte(`apiVersion: meshlab.dev/v1alpha1
kind: ScenarioCatalog
scenarios:
  - name: baseline
    load:
      ratee: 200
      rate: -5
      duration: 25s
`), []string{"local"})
	fmt.Println(err)
	// Output:
	// 2 problems in scenarios.yaml:
	// scenarios.yaml:6: scenarios[0].load.ratee: unknown field (did you mean "rate"?)
	// scenarios.yaml:7: scenarios[0].load.rate: must be > 0, got -5
}

func ExampleCatalog_Find() {
	cat, err := scenarios.Parse("scenarios.yaml", []byte(`apiVersion: meshlab.dev/v1alpha1
kind: ScenarioCatalog
scenarios:
  - name: baseline
    load: {rate: 200, duration: 25s}
`), []string{"local"})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, _ := cat.Find("baseline")
	fmt.Println(s.Load.Profile, s.Load.Rate, s.Load.Duration, s.Warmup, s.Backend)
	_, err = cat.Find("basline")
	fmt.Println(err)
	// Output:
	// constant 200 25s 2s local
	// unknown scenario "basline" in scenarios.yaml (did you mean "baseline"?); known: baseline
}
