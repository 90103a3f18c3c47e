package scenarios

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func TestDurationYAML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		yaml    string
		want    time.Duration
		wantErr string
	}{
		{"milliseconds", "250ms", 250 * time.Millisecond, ""},
		{"compound", "1m30s", 90 * time.Second, ""},
		{"fraction", "1.5s", 1500 * time.Millisecond, ""},
		{"quoted", `"2s"`, 2 * time.Second, ""},
		{"zero without unit", "0", 0, ""},
		{"negative parses (Validate judges it)", "-1s", -time.Second, ""},
		{"number without unit", "5", 0, `want a duration like "250ms", got number 5`},
		{"words", "2 seconds", 0, `want a duration like "250ms", got string "2 seconds"`},
		{"list", "[1s]", 0, `want a duration like "250ms", got a list`},
		{"boolean", "true", 0, `want a duration like "250ms", got boolean true`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var d Duration
			err := yaml.Unmarshal([]byte(tt.yaml), &d)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, d.Duration)
		})
	}
}

func TestPercentYAML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		yaml    string
		want    float64
		wantErr string
	}{
		{"with sign", "99.9%", 99.9, ""},
		{"integer with sign", "99%", 99, ""},
		{"number", "99.95", 99.95, ""},
		{"integer", "99", 99, ""},
		{"quoted with sign", `"99.9%"`, 99.9, ""},
		{"quoted without sign", `"99.9"`, 0, `want a percentage like "99.9%" or a number, got string "99.9"`},
		{"space before sign", "99.9 %", 0, `got string "99.9 %"`},
		{"words", "high", 0, `got string "high"`},
		{"not a number", ".nan", 0, `got number .nan`},
		{"mapping", "{v: 1}", 0, `got a mapping`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var p Percent
			err := yaml.Unmarshal([]byte(tt.yaml), &p)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, p.Value)
		})
	}
}

func TestUnitsMarshal(t *testing.T) {
	t.Parallel()
	type doc struct {
		D Duration `yaml:"d" json:"d"`
		P Percent  `yaml:"p" json:"p"`
	}
	tests := []struct {
		name     string
		in       doc
		wantJSON string
		wantYAML string
	}{
		{"typical", doc{Duration{250 * time.Millisecond}, Percent{99.9}}, `{"d":"250ms","p":"99.9%"}`, "d: 250ms\np: 99.9%\n"},
		{"compound and integer", doc{Duration{90 * time.Second}, Percent{99}}, `{"d":"1m30s","p":"99%"}`, "d: 1m30s\np: 99%\n"},
		{"zero", doc{}, `{"d":"0s","p":"0%"}`, "d: 0s\np: 0%\n"},
		{"many nines", doc{Duration{time.Nanosecond}, Percent{99.999}}, `{"d":"1ns","p":"99.999%"}`, "d: 1ns\np: 99.999%\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			j, err := json.Marshal(tt.in)
			require.NoError(t, err)
			assert.JSONEq(t, tt.wantJSON, string(j))
			var fromJSON doc
			require.NoError(t, json.Unmarshal(j, &fromJSON))
			assert.Equal(t, tt.in, fromJSON)

			y, err := yaml.Marshal(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.wantYAML, string(y))
			var fromYAML doc
			require.NoError(t, yaml.Unmarshal(y, &fromYAML))
			assert.Equal(t, tt.in, fromYAML)
		})
	}
}

func TestUnitsUnmarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		json    string
		want    Percent
		wantErr string
	}{
		{"percent string", `"99.9%"`, Percent{99.9}, ""},
		{"percent number", `99.9`, Percent{99.9}, ""},
		{"null leaves it", `null`, Percent{}, ""},
		{"string without sign", `"99.9"`, Percent{}, `want a percentage like "99.9%", got "99.9"`},
		{"boolean", `true`, Percent{}, `want a percentage like "99.9%" or a number, got true`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var p Percent
			err := json.Unmarshal([]byte(tt.json), &p)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, p)
		})
	}
	var d Duration
	assert.EqualError(t, json.Unmarshal([]byte(`250`), &d), `want a duration like "250ms", got 250`)
	assert.EqualError(t, json.Unmarshal([]byte(`"soon"`), &d), `want a duration like "250ms", got "soon"`)
	require.NoError(t, json.Unmarshal([]byte(`null`), &d))
	assert.Zero(t, d.Duration)
}
