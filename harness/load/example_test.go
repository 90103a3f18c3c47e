package load_test

import (
	"fmt"
	"time"

	"github.com/meshlab/meshlab/harness/load"
	"github.com/meshlab/meshlab/scenarios"
)

func ExampleNewProfile() {
	ramp, err := load.NewProfile(scenarios.Load{
		Profile:  "ramp",
		Rate:     0,
		To:       100,
		Duration: scenarios.Duration{Duration: 10 * time.Second},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(ramp.Total(), "hits over", ramp.Duration())
	fmt.Println("hit 125 is due at", ramp.At(125), "at", ramp.Rate(ramp.At(125)), "rps")
	fmt.Println(ramp.Hits(8*time.Second), "hits are due by 8s")
	// Output:
	// 500 hits over 10s
	// hit 125 is due at 5s at 50 rps
	// 320 hits are due by 8s
}
