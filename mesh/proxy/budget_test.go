package proxy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/meshlab/meshlab/mesh/policy"
)

func TestBudgetWindow(t *testing.T) {
	t.Parallel()
	var b budget
	rb := &policy.RetryBudget{Percent: 20, MinRetriesPerSecond: 10}
	now := time.Unix(1_700_000_000, 0)
	allowed := func() int {
		n := 0
		for range 1000 {
			if b.withdraw(now, rb) {
				n++
			}
		}
		return n
	}
	for range 100 {
		b.deposit(now)
	}
	assert.Equal(t, 20, allowed(), "20%% of 100 requests")
	now = now.Add(1500 * time.Millisecond)
	assert.Equal(t, 10, allowed(), "the ratio spent: the minimum rate still allows 10 a second")
	now = now.Add(11 * time.Second)
	for range 10 {
		b.deposit(now)
	}
	assert.Equal(t, 10, allowed(), "the old window slid out: 2 by ratio, then the minimum up to 10")
	rb.Window = dur(time.Second)
	now = now.Add(1100 * time.Millisecond)
	b.deposit(now)
	assert.Equal(t, 10, allowed(), "a 1 s window")
}
