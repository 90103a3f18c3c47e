package load

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/rundir"
	"github.com/meshlab/meshlab/scenarios"
)

// newServer is a loopback server answering every request with h.
func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// ok answers 200 {} after reading the request.
func ok(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, "{}")
}

func constant(rate float64, d time.Duration) scenarios.Load {
	return scenarios.Load{Rate: rate, Duration: dur(d), Timeout: dur(5 * time.Second)}
}

// decodeAll decodes every sample of a results.bin.
func decodeAll(t *testing.T, b []byte) []vegeta.Result {
	t.Helper()
	dec := vegeta.NewDecoder(bytes.NewReader(b))
	var out []vegeta.Result
	for {
		var r vegeta.Result
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err, "sample %d", len(out))
		out = append(out, r)
	}
}

func bySeq(rs []vegeta.Result) []vegeta.Result {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b vegeta.Result) int { return int(a.Seq) - int(b.Seq) })
	return rs
}

func TestAttackConstant(t *testing.T) {
	t.Parallel()
	srv := newServer(t, ok)
	var out bytes.Buffer
	var seen int
	cfg := Config{
		GatewayURL: srv.URL, Load: constant(200, 2*time.Second), Seed: 1, Out: &out,
		OnResult: func(*vegeta.Result) { seen++ },
	}
	sum, err := Attack(t.Context(), cfg)
	require.NoError(t, err)

	p, err := NewProfile(cfg.Load)
	require.NoError(t, err)
	assert.Equal(t, Summary{
		Started: sum.Started, Scheduled: p.Total(), Sent: p.Total(), Completed: p.Total(), Duration: sum.Duration,
	}, sum)
	assert.EqualValues(t, 400, p.Total())
	assert.Greater(t, sum.Duration, p.At(p.Total()-1))
	assert.EqualValues(t, p.Total(), seen)

	rs := bySeq(decodeAll(t, out.Bytes()))
	require.Len(t, rs, int(p.Total()))
	for i, r := range rs {
		require.EqualValues(t, i, r.Seq, "every Seq once")
		assert.EqualValues(t, http.StatusOK, r.Code, r.Error)
		assert.WithinDuration(t, sum.Started.Add(p.At(r.Seq)), r.Timestamp, time.Millisecond, "seq %d", i)
		if i > 0 {
			assert.False(t, r.Timestamp.Before(rs[i-1].Timestamp), "timestamps monotone in Seq at %d", i)
		}
		lag, ok := rundir.SendLag(r.Headers)
		require.True(t, ok, "seq %d has a send lag", i)
		// vegeta never sends a hit before it is due: a negative lag is an error in began.
		assert.GreaterOrEqual(t, lag, -time.Millisecond, "seq %d", i)
		assert.Positive(t, r.Latency)
		assert.EqualValues(t, 2, r.BytesIn)
		assert.Empty(t, r.Body, "bodies of successes are not kept")
	}
}

func TestAttackCancel(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		load    scenarios.Load
		service time.Duration
	}{
		{"fast server", constant(100, time.Minute), 0},
		{"requests in flight", constant(100, time.Minute), 300 * time.Millisecond},
		{"during a long pause", scenarios.Load{Profile: "steps", Steps: []scenarios.Step{
			step(100, 100*time.Millisecond), step(0, time.Minute), step(100, time.Second),
		}}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var arrived atomic.Int64
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				arrived.Add(1)
				time.Sleep(tt.service)
				ok(w, r)
			})
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var (
				out       bytes.Buffer
				seen      int
				cancelled time.Time
			)
			cfg := Config{GatewayURL: srv.URL, Load: tt.load, Out: &out,
				OnResult: func(*vegeta.Result) {
					if seen++; seen == 10 {
						cancelled = time.Now()
						cancel()
					}
				}}
			sum, err := Attack(ctx, cfg)
			require.ErrorIs(t, err, context.Canceled)
			assert.Less(t, time.Since(cancelled), 10*time.Second, "returns long before the schedule ends")

			rs := decodeAll(t, out.Bytes())
			assert.Len(t, rs, int(sum.Completed))
			assert.Equal(t, sum.Sent, sum.Completed, "every request in flight is recorded")
			assert.EqualValues(t, arrived.Load(), sum.Completed, "every request the server saw")
			assert.Less(t, sum.Completed, sum.Scheduled)
			for _, r := range rs {
				assert.EqualValues(t, http.StatusOK, r.Code, r.Error)
			}
		})
	}
}

var errDisk = errors.New("disk full")

// failingWriter accepts ok writes, then fails every one.
type failingWriter struct {
	ok  int
	buf bytes.Buffer
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.ok == 0 {
		return 0, errDisk
	}
	w.ok--
	return w.buf.Write(p)
}

func TestAttackWriteFails(t *testing.T) {
	t.Parallel()
	for _, okWrites := range []int{0, 5} {
		t.Run(strings.Repeat("ok,", okWrites)+"fail", func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, ok)
			w := &failingWriter{ok: okWrites}
			began := time.Now()
			sum, err := Attack(t.Context(), Config{GatewayURL: srv.URL, Load: constant(100, time.Minute), Out: w})
			require.ErrorIs(t, err, errDisk)
			assert.Less(t, time.Since(began), 20*time.Second, "stops long before the schedule ends")
			assert.EqualValues(t, okWrites, sum.Completed)
			assert.GreaterOrEqual(t, sum.Sent, sum.Completed)
			assert.Len(t, decodeAll(t, w.buf.Bytes()), okWrites, "one write per sample")
		})
	}
}

func TestAttackBytesIn(t *testing.T) {
	t.Parallel()
	const size = 64 << 10
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/users/") {
			w.WriteHeader(http.StatusInternalServerError)
		}
		_, _ = w.Write(bytes.Repeat([]byte("x"), size))
	})
	for _, tt := range []struct {
		route string
		code  uint16
		body  int
	}{
		{"GET /products/{id}", http.StatusOK, 0},
		{"GET /users/{id}", http.StatusInternalServerError, MaxBody},
	} {
		t.Run(tt.route, func(t *testing.T) {
			t.Parallel()
			l := constant(20, 500*time.Millisecond)
			l.Mix = []scenarios.RouteWeight{{Route: tt.route, Weight: 1}}
			var out bytes.Buffer
			sum, err := Attack(t.Context(), Config{GatewayURL: srv.URL, Load: l, Out: &out})
			require.NoError(t, err)
			rs := decodeAll(t, out.Bytes())
			require.Len(t, rs, int(sum.Scheduled))
			for _, r := range rs {
				assert.Equal(t, tt.code, r.Code)
				assert.EqualValues(t, size, r.BytesIn, "the full body, not MaxBody")
				assert.Len(t, r.Body, tt.body)
			}
		})
	}
}

func TestAttackInvalidConfig(t *testing.T) {
	t.Parallel()
	good := Config{GatewayURL: "http://127.0.0.1:1", Load: constant(1, time.Second), Out: io.Discard}
	for _, tt := range []struct {
		name   string
		mutate func(*Config)
		is     error
	}{
		{"no output", func(c *Config) { c.Out = nil }, nil},
		{"relative gateway", func(c *Config) { c.GatewayURL = "/gw" }, nil},
		{"bad profile", func(c *Config) { c.Load.Profile = "sine" }, ErrInvalidProfile},
		{"bad mix", func(c *Config) { c.Load.Mix = []scenarios.RouteWeight{{Route: "GET /x", Weight: 1}} }, ErrInvalidMix},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			tt.mutate(&cfg)
			sum, err := Attack(t.Context(), cfg)
			require.Error(t, err)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.Zero(t, sum.Sent)
		})
	}
	t.Run("cancelled before the start", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		sum, err := Attack(ctx, good)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, sum.Sent)
	})
}
