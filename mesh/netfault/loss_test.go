package netfault

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLossShowsAsRetransmissionLatency(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("seconds of retransmission timeouts")
	}
	for _, tc := range []struct {
		name string
		rule Rule
	}{
		{name: "loss", rule: Rule{Name: "l", Loss: &Prob{Percent: 30}}},
		{name: "corrupt", rule: Rule{Name: "c", Corrupt: &Prob{Percent: 30}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEngine()
			addr := echoServer(t, "127.0.0.1", nil)
			c, err := e.DialContext(dialFrom("127.0.0.7"))(ctxTimeout(t, 10*time.Second), "tcp", addr)
			require.NoError(t, err)
			defer c.Close()
			require.NoError(t, e.Set([]Rule{tc.rule}))

			// 40 draws at 30 %: fewer than 5 losses is 2.6 sd away (binomial), and the seed is fixed.
			lat := roundTrips(t, c, 40)
			assert.GreaterOrEqual(t, quantile(lat, 0.9), InitialRTO)
			assert.Less(t, quantile(lat, 0.5), InitialRTO)
			st := e.Stats().Rules[0]
			assert.Positive(t, st.Lost+st.Corrupted)
			assert.InDelta(t, 12, st.Lost+st.Corrupted, 9)
		})
	}
}

func TestLossRTODoublesOnConsecutiveLosses(t *testing.T) {
	t.Parallel()
	s := newRuleState(Rule{Name: "all", Loss: &Prob{Percent: 100}}, 1, &counters{}, time.Now())
	c := &conn{rto: InitialRTO}
	d := c.draw([]*ruleState{s}, 1)
	want := time.Duration(0)
	rto := InitialRTO
	for range MaxRetransmits {
		want += rto
		rto = min(2*rto, MaxRTO)
	}
	assert.Equal(t, want, d, "every retransmission lost again, up to MaxRetransmits")

	none := newRuleState(Rule{Name: "none", Loss: &Prob{Percent: 0}}, 1, &counters{}, time.Now())
	assert.Zero(t, c.draw([]*ruleState{none}, 1))
	assert.Equal(t, InitialRTO, c.rto, "a delivered write resets the RTO")
}

func TestCorrelatedLossChangesRate(t *testing.T) {
	t.Parallel()
	// netem: loss 10 with correlation 90 drops almost nothing (§2, "Correlation").
	s := newRuleState(Rule{Name: "l", Loss: &Prob{Percent: 10, Correlation: 90}}, 3, &counters{}, time.Now())
	lost := 0
	for range 10000 {
		if s.drawLost() {
			lost++
		}
	}
	assert.Less(t, lost, 100)
}

func TestDuplicateOnlyCounts(t *testing.T) {
	t.Parallel()
	e := newTestEngine()
	addr := echoServer(t, "127.0.0.1", nil)
	c, err := e.DialContext(dialFrom("127.0.0.8"))(ctxTimeout(t, 10*time.Second), "tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, e.Set([]Rule{{Name: "dup", Duplicate: &Prob{Percent: 100}}}))
	lat := roundTrips(t, c, 10)
	assert.Less(t, quantile(lat, 0.5), 50*time.Millisecond)
	assert.EqualValues(t, 10, e.Stats().Rules[0].DuplicatedBytes)
}
