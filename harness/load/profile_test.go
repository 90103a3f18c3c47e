package load

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/scenarios"
)

func dur(d time.Duration) scenarios.Duration { return scenarios.Duration{Duration: d} }

func step(rate float64, d time.Duration) scenarios.Step {
	return scenarios.Step{Rate: rate, Duration: dur(d)}
}

var profileTests = []struct {
	name  string
	load  scenarios.Load
	total uint64
	dur   time.Duration
}{
	{"constant 200 rps for 10s", scenarios.Load{Rate: 200, Duration: dur(10 * time.Second)}, 2000, 10 * time.Second},
	{"constant named", scenarios.Load{Profile: "constant", Rate: 3, Duration: dur(time.Second)}, 3, time.Second},
	{"constant fractional", scenarios.Load{Rate: 2.5, Duration: dur(time.Second)}, 3, time.Second},
	{"ramp up 0→100 over 10s", scenarios.Load{Profile: "ramp", Rate: 0, To: 100, Duration: dur(10 * time.Second)}, 500, 10 * time.Second},
	{"ramp down 100→0 over 10s", scenarios.Load{Profile: "ramp", Rate: 100, To: 0, Duration: dur(10 * time.Second)}, 500, 10 * time.Second},
	{"ramp 50→150 over 4s", scenarios.Load{Profile: "ramp", Rate: 50, To: 150, Duration: dur(4 * time.Second)}, 400, 4 * time.Second},
	{"steps with a pause", scenarios.Load{Profile: "steps", Steps: []scenarios.Step{
		step(100, time.Second), step(200, time.Second), step(0, time.Second), step(50, 2*time.Second),
	}}, 400, 5 * time.Second},
}

func TestProfileTotals(t *testing.T) {
	t.Parallel()
	for _, tt := range profileTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := NewProfile(tt.load)
			require.NoError(t, err)
			assert.Equal(t, tt.total, p.Total())
			assert.Equal(t, tt.dur, p.Duration())
			assert.InDelta(t, float64(tt.total), math.Ceil(p.Hits(p.Duration())), 0)
			assert.Less(t, p.At(tt.total-1), p.Duration(), "the last hit is inside the schedule")
			assert.GreaterOrEqual(t, p.At(tt.total), p.Duration(), "the next one is not")
		})
	}
}

func TestProfileInverse(t *testing.T) {
	t.Parallel()
	for _, tt := range profileTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := NewProfile(tt.load)
			require.NoError(t, err)
			prev := time.Duration(-1)
			for n := range p.Total() {
				at := p.At(n)
				require.GreaterOrEqual(t, at, prev, "At is monotone at %d", n)
				prev = at
				require.InDelta(t, float64(n), p.Hits(at), 1e-3, "Hits(At(%d))", n)
				wait, stop := p.Pace(at, n)
				require.False(t, stop)
				require.Zero(t, wait)
			}
			for d := time.Duration(0); d < p.Duration(); d += p.Duration() / 97 {
				require.LessOrEqual(t, p.Hits(d), p.Hits(d+time.Millisecond), "Hits is monotone at %s", d)
				if p.Rate(d) > 0 {
					n := uint64(math.Ceil(p.Hits(d)))
					require.GreaterOrEqual(t, p.At(n), d-time.Microsecond, "hit %d is not due before %s", n, d)
				}
			}
			assert.Zero(t, p.Hits(-time.Second))
			assert.Equal(t, p.Hits(p.Duration()), p.Hits(2*p.Duration()))
		})
	}
}

func TestProfilePoints(t *testing.T) {
	t.Parallel()
	steps, err := NewProfile(scenarios.Load{Profile: "steps", Steps: []scenarios.Step{
		step(100, time.Second), step(200, time.Second), step(0, time.Second), step(50, 2*time.Second),
	}})
	require.NoError(t, err)
	ramp, err := NewProfile(scenarios.Load{Profile: "ramp", To: 100, Duration: dur(10 * time.Second)})
	require.NoError(t, err)
	constant, err := NewProfile(scenarios.Load{Rate: 200, Duration: dur(10 * time.Second)})
	require.NoError(t, err)

	t.Run("At", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			p    Profile
			n    uint64
			want time.Duration
		}{
			{steps, 0, 0},
			{steps, 99, 990 * time.Millisecond},
			{steps, 100, time.Second},
			{steps, 101, 1005 * time.Millisecond},
			{steps, 299, 1995 * time.Millisecond},
			{steps, 300, 3 * time.Second}, // the pause is skipped
			{steps, 301, 3020 * time.Millisecond},
			{ramp, 0, 0},
			{ramp, 5, time.Second}, // 5t² hits by t
			{ramp, 125, 5 * time.Second},
			{ramp, 320, 8 * time.Second},
			{constant, 1, 5 * time.Millisecond},
			{constant, 1999, 9995 * time.Millisecond},
		} {
			assert.Equal(t, tc.want, tc.p.At(tc.n), "%v At(%d)", tc.p, tc.n)
		}
	})
	t.Run("Hits and Rate", func(t *testing.T) {
		t.Parallel()
		assert.InDelta(t, 100, steps.Hits(time.Second), 1e-9)
		assert.InDelta(t, 200, steps.Hits(1500*time.Millisecond), 1e-9)
		assert.InDelta(t, 300, steps.Hits(2500*time.Millisecond), 1e-9)
		assert.InDelta(t, 100, steps.Rate(999*time.Millisecond), 1e-9)
		assert.InDelta(t, 200, steps.Rate(time.Second), 1e-9)
		assert.Zero(t, steps.Rate(2500*time.Millisecond))
		assert.Zero(t, steps.Rate(5*time.Second))
		assert.InDelta(t, 50, ramp.Rate(5*time.Second), 1e-9)
		assert.InDelta(t, 500, ramp.Hits(10*time.Second), 1e-9)
	})
	t.Run("Pace", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			elapsed time.Duration
			hits    uint64
			wait    time.Duration
			stop    bool
		}{
			{0, 0, 0, false},
			{0, 1, 5 * time.Millisecond, false},
			{2 * time.Millisecond, 1, 3 * time.Millisecond, false},
			{20 * time.Millisecond, 1, 0, false}, // behind: at once
			{9 * time.Second, 1999, 995 * time.Millisecond, false},
			{9 * time.Second, 2000, 0, true},
		} {
			wait, stop := constant.Pace(tc.elapsed, tc.hits)
			assert.Equal(t, tc.wait, wait, "Pace(%s, %d)", tc.elapsed, tc.hits)
			assert.Equal(t, tc.stop, stop, "Pace(%s, %d)", tc.elapsed, tc.hits)
		}
	})
}

func TestNewProfileInvalid(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		load scenarios.Load
	}{
		{"unknown profile", scenarios.Load{Profile: "sine", Rate: 1, Duration: dur(time.Second)}},
		{"zero rate", scenarios.Load{Duration: dur(time.Second)}},
		{"negative rate", scenarios.Load{Rate: -1, Duration: dur(time.Second)}},
		{"NaN rate", scenarios.Load{Rate: math.NaN(), Duration: dur(time.Second)}},
		{"zero duration", scenarios.Load{Rate: 10}},
		{"flat ramp at zero", scenarios.Load{Profile: "ramp", Duration: dur(time.Second)}},
		{"ramp to a negative rate", scenarios.Load{Profile: "ramp", Rate: 10, To: -1, Duration: dur(time.Second)}},
		{"no steps", scenarios.Load{Profile: "steps"}},
		{"all steps paused", scenarios.Load{Profile: "steps", Steps: []scenarios.Step{step(0, time.Second)}}},
		{"step without duration", scenarios.Load{Profile: "steps", Steps: []scenarios.Step{step(10, 0)}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewProfile(tt.load)
			assert.ErrorIs(t, err, ErrInvalidProfile)
		})
	}
}
