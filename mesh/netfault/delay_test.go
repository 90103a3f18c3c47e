package netfault

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDelayOnAffectedPeerOnly(t *testing.T) {
	t.Parallel()
	e := newTestEngine()
	url, _ := httpServer(t, "127.0.0.1", e)
	slow, fast := httpClient(t, "127.0.0.2", nil, 0), httpClient(t, "127.0.0.3", nil, 0)
	get(t, slow, url)
	get(t, fast, url)
	require.NoError(t, e.Set([]Rule{{Name: "d", Targets: host("127.0.0.2"),
		Delay: &Delay{Latency: 100 * time.Millisecond, Jitter: 10 * time.Millisecond}}}))

	var slowT, fastT []time.Duration
	for range 30 {
		slowT = append(slowT, get(t, slow, url))
		fastT = append(fastT, get(t, fast, url))
	}
	added := mean(slowT) - mean(fastT)
	assert.GreaterOrEqual(t, added, 95*time.Millisecond)
	assert.LessOrEqual(t, added, 125*time.Millisecond, "generous: the machine is busy")
	assert.Less(t, quantile(fastT, 0.5), 50*time.Millisecond)
	assert.EqualValues(t, 30, e.Stats().Rules[0].Delayed)
}

func TestDelayCorrelationShrinksVariance(t *testing.T) {
	t.Parallel()
	variance := func(rho float64) float64 {
		s := newRuleState(Rule{Name: "v", Delay: &Delay{Latency: 100 * time.Millisecond,
			Jitter: 50 * time.Millisecond, Correlation: rho}}, 7, &counters{}, time.Now())
		const n = 200000
		var sum, sq float64
		for range n {
			ms := float64(s.drawDelay()) / float64(time.Millisecond)
			sum += ms
			sq += ms * ms
		}
		m := sum / n
		assert.InDelta(t, 100, m, 1, "mean kept")
		return sq/n - m*m
	}
	base := variance(0)
	assert.InDelta(t, 100.0*100/12, base, 15, "uniform on [50,150) ms")
	for _, rho := range []float64{25, 50, 75} {
		r := rho / 100
		assert.InDelta(t, (1-r)/(1+r), variance(rho)/base, 0.04, "rho %v", rho)
	}
}

func TestJitterKeepsOrder(t *testing.T) {
	t.Parallel()
	e := newTestEngine()
	addr := echoServer(t, "127.0.0.1", nil)
	require.NoError(t, e.Set([]Rule{{Name: "j", Targets: host("127.0.0.1"),
		Delay: &Delay{Latency: 20 * time.Millisecond, Jitter: 19 * time.Millisecond}}}))
	c, err := e.DialContext(dialFrom("127.0.0.5"))(ctxTimeout(t, 10*time.Second), "tcp", addr)
	require.NoError(t, err)
	defer c.Close()

	const n = 200
	start := time.Now()
	for i := range n {
		_, err := c.Write([]byte{byte(i)})
		require.NoError(t, err)
	}
	assert.Less(t, time.Since(start), 15*time.Millisecond*n/10, "writes do not wait for the delay")
	got := make([]byte, n)
	_, err = io.ReadFull(c, got)
	require.NoError(t, err)
	for i := range n {
		require.Equal(t, byte(i), got[i], "byte %d", i)
	}
	assert.EqualValues(t, n, e.Stats().Rules[0].Delayed)
}

func TestRemovingRulesRestoresSpeed(t *testing.T) {
	t.Parallel()
	e := newTestEngine()
	addr := echoServer(t, "127.0.0.1", e)
	c, err := dialFrom("127.0.0.6")(ctxTimeout(t, 10*time.Second), "tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, e.Set([]Rule{{Name: "d", Delay: &Delay{Latency: 150 * time.Millisecond}}}))
	slow := roundTrips(t, c, 3)
	assert.GreaterOrEqual(t, quantile(slow, 0), 150*time.Millisecond)
	require.NoError(t, e.Set(nil))
	fast := roundTrips(t, c, 20)
	assert.Less(t, quantile(fast, 0.5), 50*time.Millisecond)
}
