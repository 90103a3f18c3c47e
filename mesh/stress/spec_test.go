package stress

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	load := func(n int) *int { return &n }
	tests := []struct {
		name    string
		spec    Spec
		wantErr int // how many problems
	}{
		{"empty", Spec{}, 0},
		{"cpu default load", Spec{CPU: &CPU{Workers: 2}}, 0},
		{"cpu idle", Spec{CPU: &CPU{Workers: 2, Load: load(0)}}, 0},
		{"memory missing size", Spec{Memory: &Memory{Workers: 1}}, 0},
		{"negative cpu workers", Spec{CPU: &CPU{Workers: -1}}, 1},
		{"too many workers", Spec{CPU: &CPU{Workers: MaxWorkers + 1}}, 1},
		{"load above 100", Spec{CPU: &CPU{Workers: 1, Load: load(150)}}, 1},
		{"bad size", Spec{Memory: &Memory{Workers: 1, Size: "lots"}}, 1},
		{"more than the machine", Spec{Memory: &Memory{Workers: 1, Size: "1000000TB"}}, 1},
		{"every problem at once", Spec{
			CPU:    &CPU{Workers: -1, Load: load(-3)},
			Memory: &Memory{Workers: -2, Size: "x"},
		}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.spec.Validate()
			if tt.wantErr == 0 {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidSpec)
			assert.Len(t, err.(interface{ Unwrap() []error }).Unwrap(), tt.wantErr)
		})
	}
}

func TestLoadPercentDefault(t *testing.T) {
	t.Parallel()
	zero := 0
	assert.Equal(t, DefaultLoad, CPU{Workers: 1}.LoadPercent())
	assert.Equal(t, 0, CPU{Workers: 1, Load: &zero}.LoadPercent())
}
