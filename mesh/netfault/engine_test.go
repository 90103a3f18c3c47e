package netfault

import (
	"io"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSetValidates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		rules []Rule
		err   string
	}{
		{name: "empty removes all"},
		{name: "every block", rules: []Rule{{Name: "a", Targets: host("127.0.0.2"),
			Delay: &Delay{Latency: time.Second, Jitter: time.Millisecond, Correlation: 50},
			Loss:  &Prob{Percent: 0.5}, Corrupt: &Prob{Percent: 1}, Duplicate: &Prob{Percent: 2},
			Bandwidth: &Bandwidth{Rate: 1, Limit: 1, Buffer: 1}, Partition: true}}},
		{name: "no name", rules: []Rule{{}}, err: "name is empty"},
		{name: "percent", rules: []Rule{{Name: "a", Loss: &Prob{Percent: 101}}}, err: "loss.percent 101"},
		{name: "negative delay", rules: []Rule{{Name: "a", Delay: &Delay{Latency: -1}}}, err: "negative"},
		{name: "zero rate", rules: []Rule{{Name: "a", Bandwidth: &Bandwidth{Buffer: 1}}}, err: "rate and buffer"},
		{name: "bad prefix", rules: []Rule{{Name: "a", Targets: []netip.Prefix{{}}}}, err: "targets[0]"},
		{name: "same name twice", rules: []Rule{{Name: "a"}, {Name: "a"}}, err: "set twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEngine()
			err := e.Set(tc.rules)
			if tc.err == "" {
				require.NoError(t, err)
				assert.Len(t, e.Rules(), len(tc.rules))
				return
			}
			require.ErrorContains(t, err, tc.err)
			assert.Empty(t, e.Rules(), "nothing changes")
		})
	}
}

func TestSetIsIdempotent(t *testing.T) {
	t.Parallel()
	e := newTestEngine()
	rules := []Rule{{Name: "bw", Bandwidth: &Bandwidth{Rate: 10, Buffer: 10}}}
	require.NoError(t, e.Set(rules))
	first := e.set.Load().rules[0]
	require.NoError(t, e.Set(rules))
	assert.Same(t, first, e.set.Load().rules[0], "an equal rule keeps its bucket")
	assert.Equal(t, rules, e.Rules())
	require.NoError(t, e.Set(nil))
	assert.Empty(t, e.Rules())
	assert.Equal(t, []RuleStats{{Name: "bw"}}, e.Stats().Rules, "counts outlive the rule")
}

func TestNoRulesNoQueue(t *testing.T) {
	t.Parallel()
	e := newTestEngine()
	addr := echoServer(t, "127.0.0.1", nil)
	nc, err := e.DialContext(dialFrom("127.0.0.15"))(ctxTimeout(t, 5*time.Second), "tcp", addr)
	require.NoError(t, err)
	defer nc.Close()
	roundTrips(t, nc, 5)
	c := nc.(*conn)
	assert.False(t, c.shaped.Load(), "no queue without a rule")
	require.NoError(t, e.Set([]Rule{{Name: "other", Targets: host("127.0.0.99"), Delay: &Delay{Latency: time.Hour}}}))
	lat := roundTrips(t, nc, 5)
	assert.Less(t, quantile(lat, 1), time.Second, "rules on other peers do not apply")
}

func TestCloseDrainsQueuedData(t *testing.T) {
	t.Parallel()
	e := newTestEngine()
	ln := listen(t, "127.0.0.1", nil)
	require.NoError(t, e.Set([]Rule{{Name: "d", Delay: &Delay{Latency: 100 * time.Millisecond}}}))
	c, err := e.DialContext(dialFrom("127.0.0.16"))(ctxTimeout(t, 5*time.Second), "tcp", ln.Addr().String())
	require.NoError(t, err)
	peer, err := ln.Accept()
	require.NoError(t, err)
	defer peer.Close()
	_, err = c.Write([]byte("bye"))
	require.NoError(t, err)
	require.NoError(t, c.Close())
	got, err := io.ReadAll(peer)
	require.NoError(t, err)
	assert.Equal(t, "bye", string(got), "TCP sends what was written before close")
}

func TestQueueBackpressure(t *testing.T) {
	t.Parallel()
	e := newTestEngine()
	addr := echoServer(t, "127.0.0.1", nil)
	c, err := e.DialContext(dialFrom("127.0.0.17"))(ctxTimeout(t, 5*time.Second), "tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, e.Set([]Rule{{Name: "p", Partition: true}}))
	require.NoError(t, c.SetWriteDeadline(time.Now().Add(200*time.Millisecond)))
	buf := make([]byte, 1<<20)
	var werr error
	written := 0
	for i := 0; i < 8 && werr == nil; i++ {
		var n int
		n, werr = c.Write(buf)
		written += n
	}
	require.ErrorIs(t, werr, os.ErrDeadlineExceeded)
	assert.Equal(t, MaxQueue, written, "the queue is bounded")
}
