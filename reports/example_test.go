package reports_test

import (
	"fmt"
	"time"

	"github.com/meshlab/meshlab/reports"
)

// Nearest rank: the q-quantile is the smallest sample with at least q of the samples at or
// below it.
func ExampleQuantile() {
	samples := make([]time.Duration, 1000) // 1..1000 ms, sorted
	for i := range samples {
		samples[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, q := range []float64{0.5, 0.99, 0.999, 1} {
		fmt.Println(q, reports.Quantile(samples, q))
	}
	// Output:
	// 0.5 500ms
	// 0.99 990ms
	// 0.999 999ms
	// 1 1s
}

func ExampleClassify() {
	fmt.Println(reports.Classify("GET", "http://127.0.0.1:8080/products?limit=20"))
	fmt.Println(reports.Classify("GET", "http://127.0.0.1:8080/users/42"))
	fmt.Println(reports.Classify("DELETE", "http://127.0.0.1:8080/users/42"))
	// Output:
	// GET /products
	// GET /users/{id}
	// other
}

func ExampleParseGate() {
	g, err := reports.ParseGate(`route."POST /orders".latency.p99 < 250ms`)
	fmt.Println(g.Path, g.Op, g.Value, err)
	fmt.Println(reports.CheckGate("faults.payment-kil.requestsFailed <= 20", []string{"payment-kill"}))
	// Output:
	// [route POST /orders latency p99] < 250 <nil>
	// invalid gate "faults.payment-kil.requestsFailed <= 20": no fault "payment-kil" in the scenario (faults: payment-kill)
}
