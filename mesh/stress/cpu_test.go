package stress

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCPULoadBurnsItsShare(t *testing.T) {
	if testing.Short() {
		t.Skip("burns CPU for seconds")
	}
	for _, tc := range []struct{ workers, load int }{{1, 80}, {2, 30}} {
		s := New(nil)
		cpu, wall := cpuOver(t, func() {
			require.NoError(t, s.Apply(Spec{CPU: &CPU{Workers: tc.workers, Load: intp(tc.load)}}))
			time.Sleep(2 * time.Second)
			s.Stop()
		})
		want := time.Duration(cores(tc.workers, tc.load) * float64(wall))
		t.Logf("workers=%d load=%d: %v CPU in %v (want ≈ %v)", tc.workers, tc.load, cpu, wall, want)
		assert.GreaterOrEqual(t, cpu, want*7/10, "workers=%d load=%d", tc.workers, tc.load)
		assert.LessOrEqual(t, cpu, want*3/2+300*time.Millisecond, "workers=%d load=%d", tc.workers, tc.load)
	}
}

func TestCPULoadZeroIdles(t *testing.T) {
	s := New(nil)
	cpu, _ := cpuOver(t, func() {
		require.NoError(t, s.Apply(Spec{CPU: &CPU{Workers: 2, Load: intp(0)}}))
		time.Sleep(time.Second)
	})
	assert.Less(t, cpu, 150*time.Millisecond)
	st := s.Status()
	assert.True(t, st.Running)
	assert.Equal(t, 2, st.CPUWorkers)
	assert.Equal(t, 0, st.CPULoad)
	s.Stop()
}

func TestCPUStopReturnsToIdle(t *testing.T) {
	s := New(nil)
	require.NoError(t, s.Apply(Spec{CPU: &CPU{Workers: 1}}))
	assert.Equal(t, DefaultLoad, s.Status().CPULoad)
	time.Sleep(200 * time.Millisecond)
	s.Stop()
	assert.False(t, s.Status().Running)
	cpu, _ := cpuOver(t, func() { time.Sleep(time.Second) })
	assert.Less(t, cpu, 150*time.Millisecond)
}
