package telemetry_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/meshlab/meshlab/mesh/telemetry"
)

func TestChildTraceparent(t *testing.T) {
	t.Parallel()
	const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	tests := []struct {
		name, in string
		child    bool
	}{
		{"valid", valid, true},
		{"unsampled", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", true},
		{"upper case", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false},
		{"zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", false},
		{"zero parent id", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false},
		{"version ff", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false},
		{"short", "00-4bf92f35-00f067aa0ba902b7-01", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{"Traceparent": {tt.in}}
			telemetry.ChildTraceparent(h)
			out := h.Get("Traceparent")
			if !tt.child {
				assert.Equal(t, tt.in, out, "left as it is")
				return
			}
			assert.True(t, telemetry.ValidTraceparent(out), out)
			assert.Equal(t, tt.in[:36], out[:36])
			assert.Equal(t, tt.in[52:], out[52:])
			assert.NotEqual(t, tt.in[36:52], out[36:52])
		})
	}
	h := http.Header{}
	telemetry.ChildTraceparent(h)
	assert.Empty(t, h, "no traceparent: none is made up")
}
