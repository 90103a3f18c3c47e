package load

import (
	"bytes"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/rundir"
	"github.com/meshlab/meshlab/scenarios"
)

// staller holds every request that arrives during a window until the window ends. The window
// opens a fixed time after the first request.
type staller struct {
	after, length time.Duration

	mu         sync.Mutex
	start, end time.Time
}

func (s *staller) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	start, end := s.window(now)
	if !now.Before(start) && now.Before(end) {
		select {
		case <-time.After(end.Sub(now)):
		case <-r.Context().Done():
		}
	}
	ok(w, r)
}

func (s *staller) window(now time.Time) (start, end time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.start.IsZero() {
		s.start = now.Add(s.after)
		s.end = s.start.Add(s.length)
	}
	return s.start, s.end
}

func TestCoordinatedOmission(t *testing.T) {
	t.Parallel()
	const window = 500 * time.Millisecond
	for _, tt := range []struct {
		name string
		opts []func(*vegeta.Attacker)
		// lagged: whether the stall must also delay vegeta's own send (too few workers).
		lagged bool
	}{
		{"unbounded workers", nil, false},
		{"four workers", []func(*vegeta.Attacker){vegeta.Workers(4), vegeta.MaxWorkers(4)}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &staller{after: 500 * time.Millisecond, length: window}
			srv := newServer(t, s.ServeHTTP)
			var out bytes.Buffer
			sum, err := attack(t.Context(), Config{GatewayURL: srv.URL, Load: constant(200, 2*time.Second), Out: &out}, tt.opts...)
			require.NoError(t, err)
			rs := decodeAll(t, out.Bytes())
			require.Len(t, rs, int(sum.Scheduled))

			start, end := s.window(time.Time{})
			start, end = start.Round(0), end.Round(0) // wall clock, as decoded samples have
			const slack = 5 * time.Millisecond
			var affected, lagged, hidden int
			for _, r := range rs {
				assert.EqualValues(t, http.StatusOK, r.Code, r.Error)
				if r.Timestamp.Before(start) || !r.Timestamp.Before(end) {
					continue
				}
				affected++
				assert.GreaterOrEqual(t, r.Latency, end.Sub(r.Timestamp)-slack,
					"seq %d, intended %s into the window", r.Seq, r.Timestamp.Sub(start))
				lag, ok := rundir.SendLag(r.Headers)
				require.True(t, ok)
				if lag >= 100*time.Millisecond {
					lagged++
				}
				if r.Latency-lag < end.Sub(r.Timestamp)-slack {
					hidden++ // what vegeta's own stamp would have reported: the stall hidden
				}
			}
			assert.InDelta(t, 100, affected, 10, "results intended within the window")
			if tt.lagged {
				assert.Greater(t, lagged, 20, "ticks picked up late while every worker was stalled")
				assert.Greater(t, hidden, 20, "samples whose stall only the intended time shows")
			}
		})
	}
}

func TestRewrite(t *testing.T) {
	t.Parallel()
	intended := time.Now()
	for _, tt := range []struct {
		name    string
		lag     time.Duration
		headers http.Header
		header  string
	}{
		{"late send", 3 * time.Millisecond, nil, "3000000"},
		{"early send, signed", -time.Millisecond, http.Header{"Content-Type": {"text/plain"}}, "-1000000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &vegeta.Result{Timestamp: intended.Add(tt.lag), Latency: 10 * time.Millisecond, Headers: tt.headers}
			end := r.End()
			rewrite(r, intended)
			assert.Equal(t, intended, r.Timestamp)
			assert.Equal(t, 10*time.Millisecond+tt.lag, r.Latency)
			assert.Equal(t, end, r.End())
			assert.Equal(t, tt.header, r.Headers.Get(rundir.SendLagHeader))
			lag, ok := rundir.SendLag(r.Headers)
			assert.True(t, ok)
			assert.Equal(t, tt.lag, lag)
			if tt.headers != nil {
				assert.Equal(t, "text/plain", r.Headers.Get("Content-Type"))
			}
		})
	}
}

func TestClockLearnsStart(t *testing.T) {
	t.Parallel()
	p, err := NewProfile(constant(100, time.Second))
	require.NoError(t, err)
	clk := newClock(p)
	_, ok := clk.start()
	assert.False(t, ok)

	began := time.Now() // as vegeta does: take the start, later pace with the time since
	time.Sleep(20 * time.Millisecond)
	wait, stop := clk.Pace(time.Since(began), 0)
	assert.Zero(t, wait)
	assert.False(t, stop)
	clk.Pace(time.Second, 1) // later calls do not move it

	got, ok := clk.start()
	require.True(t, ok)
	assert.WithinDuration(t, began, got, time.Millisecond)
	assert.WithinDuration(t, began.Add(50*time.Millisecond), clk.intended(5), time.Millisecond)

	t.Run("hits are due from the start it learnt, whatever elapsed vegeta passes", func(t *testing.T) {
		clk := newClock(p) // 100 rps: hit 5 is due 50 ms after the start
		clk.Pace(0, 0)
		began, _ := clk.start()
		// vegeta's elapsed runs ahead of the clock's start when the goroutine that read it was
		// preempted before the first Pace: hits must still not be released early.
		_, stop := clk.Pace(time.Since(began)+20*time.Millisecond, 5)
		require.False(t, stop)
		assert.GreaterOrEqual(t, time.Since(began), 50*time.Millisecond, "hit 5 released before it was due")
	})
	t.Run("a halt cuts a wait short", func(t *testing.T) {
		pause, err := NewProfile(scenarios.Load{Profile: "steps", Steps: []scenarios.Step{
			step(1, time.Second), step(0, time.Hour), step(1, time.Second),
		}})
		require.NoError(t, err)
		clk := newClock(pause)
		_, stop := clk.Pace(0, 0)
		require.False(t, stop)
		go func() {
			time.Sleep(20 * time.Millisecond)
			clk.halt()
		}()
		_, stop = clk.Pace(0, 1) // due in an hour
		assert.True(t, stop)
		_, stop = clk.Pace(0, 0)
		assert.True(t, stop, "a halted clock stops the attack")
	})
}
