package stress

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemoryIsResidentAndReleased(t *testing.T) {
	const size = 64 << 20
	s := New(nil)
	before := vmRSS(t)
	require.NoError(t, s.Apply(Spec{Memory: &Memory{Workers: 2, Size: "64MiB"}}))
	waitHeld(t, s, size)
	held := vmRSS(t)
	t.Logf("VmRSS %d MiB → %d MiB", before>>20, held>>20)
	assert.GreaterOrEqual(t, held-before, int64(size*9/10))
	st := s.Status()
	assert.Equal(t, 2, st.MemoryWorkers)
	assert.Equal(t, int64(size), st.BytesWanted)

	s.Stop()
	after := vmRSS(t)
	t.Logf("after Stop VmRSS %d MiB", after>>20)
	assert.Less(t, after, held-size/2)
	assert.Equal(t, Status{}, s.Status())
}

func TestApplySameSpecTwiceDoesNotDouble(t *testing.T) {
	const size = 32 << 20
	s := New(nil)
	defer s.Stop()
	spec := Spec{Memory: &Memory{Workers: 1, Size: "32MiB"}, CPU: &CPU{Workers: 1, Load: intp(0)}}
	before := vmRSS(t)
	require.NoError(t, s.Apply(spec))
	waitHeld(t, s, size)
	first := s.Status()
	again := Spec{Memory: &Memory{Workers: 1, Size: "32MiB"}, CPU: &CPU{Workers: 1, Load: intp(0)}}
	require.NoError(t, s.Apply(again))
	second := s.Status()
	assert.Equal(t, first.Since, second.Since, "the same spec restarted")
	assert.Equal(t, int64(size), second.BytesHeld)
	assert.Less(t, vmRSS(t)-before, int64(size*3/2))
}

func TestApplyReplaces(t *testing.T) {
	s := New(nil)
	defer s.Stop()
	require.NoError(t, s.Apply(Spec{Memory: &Memory{Workers: 2, Size: "32MiB"}}))
	waitHeld(t, s, 32<<20)
	require.NoError(t, s.Apply(Spec{Memory: &Memory{Workers: 4, Size: "8MiB"}}))
	waitHeld(t, s, 8<<20)
	assert.Equal(t, 4, s.Status().MemoryWorkers)

	require.NoError(t, s.Apply(Spec{}), "an empty spec stops everything")
	assert.False(t, s.Status().Running)
}

func TestApplyInvalidKeepsWhatRuns(t *testing.T) {
	s := New(nil)
	defer s.Stop()
	require.NoError(t, s.Apply(Spec{Memory: &Memory{Workers: 1, Size: "4MiB"}}))
	err := s.Apply(Spec{CPU: &CPU{Workers: 1, Load: intp(101)}})
	require.ErrorIs(t, err, ErrInvalidSpec)
	waitHeld(t, s, 4<<20)
}
