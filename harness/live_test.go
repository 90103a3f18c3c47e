package harness

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/scenarios"
)

func TestLiveLineShowsFaultsAndBudget(t *testing.T) {
	t.Parallel()
	sc := scenarios.Scenario{Warmup: scenarios.Duration{Duration: time.Second},
		Load: scenarios.Load{Duration: scenarios.Duration{Duration: 10 * time.Second}},
		SLO:  scenarios.SLO{Availability: &scenarios.AvailabilitySLO{Objective: scenarios.Percent{Value: 99}}}}
	ll := newLiveLine(nil, sc, func() string { return "payment-kill" })
	defer ll.Close()
	warm := ll.start
	ll.Add(&vegeta.Result{Timestamp: warm, Code: 500}) // warm-up: not in the budget
	for i := range 200 {
		code := uint16(200)
		if i < 3 {
			code = 503
		}
		ll.Add(&vegeta.Result{Timestamp: ll.measured.Add(time.Millisecond), Code: code})
	}
	line := ll.snapshot()
	assert.Contains(t, line, "errors 4")
	assert.Contains(t, line, "budget 3/2.0 (150%)")
	assert.Contains(t, line, "faults payment-kill")
}
