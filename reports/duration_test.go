package reports

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d          time.Duration
		json, text string
	}{
		{0, "0", "0s"},
		{1, "0.000001", "1ns"},
		{850 * time.Microsecond, "0.85", "850µs"},
		{1500 * time.Microsecond, "1.5", "1.5ms"},
		{12345678, "12.345678", "12.3ms"},
		{123456789, "123.456789", "123ms"},
		{time.Second, "1000", "1s"},
		{2*time.Second + 340*time.Millisecond, "2340", "2.34s"},
		{10 * time.Minute, "600000", "600s"},
		{-3 * time.Millisecond, "-3", "-3ms"},
		{999_999 * time.Nanosecond, "0.999999", "1000µs"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(Duration(tt.d))
			require.NoError(t, err)
			assert.Equal(t, tt.json, string(b))
			assert.Equal(t, tt.text, Duration(tt.d).String())
			var back Duration
			require.NoError(t, json.Unmarshal(b, &back))
			assert.Equal(t, Duration(tt.d), back)
		})
	}
}
