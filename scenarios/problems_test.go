package scenarios

import (
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// at is a problem's place, for tables: line and path.
type at struct {
	line int
	path string
}

func places(ps []Problem) []at {
	out := make([]at, len(ps))
	for i, p := range ps {
		out[i] = at{p.Line, p.Path}
	}
	return out
}

// TestParseReportsEveryProblemAtItsLine spells out, independently of the golden files, where
// each problem of the fixtures must be reported: the key's line for an unknown field or a
// duplicate key, the value's line for a bad value, the enclosing node's line for a missing one.
func TestParseReportsEveryProblemAtItsLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		want []at
	}{
		{"several problems at once", "testdata/invalid-several.yaml", []at{
			{5, "scenarios[0].backend"},
			{6, "scenarios[0].warmup"},
			{9, "scenarios[0].topology.replicas.payment"},
			{10, "scenarios[0].topology.replicas.inventory"},
			{12, "scenarios[0].topology.serviceTime.order.sigma"},
			{13, "scenarios[0].topology.retries"},
			{15, "scenarios[0].load.ratee"},
			{16, "scenarios[0].load.rate"},
			{18, "scenarios[0].load.timeout"},
			{20, "scenarios[0].slo.latency.objective"},
			{20, "scenarios[0].slo.latency.threshold"},
			{21, "scenarios[1].name"}, // missing: the scenario's line
			{23, "scenarios[1].load.profile"},
		}},
		{"nested unknown fields", "testdata/invalid-unknown-field.yaml", []at{
			{7, "scenarios[0].topology.serviceTime.user.median"}, // missing: its mapping's key line
			{9, "scenarios[0].topology.serviceTime.user.medain"},
			{14, "scenarios[0].load.jitter"},
		}},
		{"wrong types", "testdata/invalid-wrong-type.yaml", []at{
			{5, "scenarios[0].seed"},
			{7, "scenarios[0].topology.replicas.user"},
			{8, "scenarios[0].topology.retries"},
			{10, "scenarios[0].load.rate"},
			{12, "scenarios[0].load.steps"},
		}},
		{"duplicate keys", "testdata/invalid-duplicate-key.yaml", []at{
			{8, "scenarios[0].load.rate"},
			{9, "scenarios[0].name"},
		}},
		{"duplicate scenario name", "testdata/invalid-duplicate-name.yaml", []at{{8, "scenarios[2].name"}}},
		{"steps not summing to the duration", "testdata/invalid-steps-duration.yaml", []at{{7, "scenarios[0].load.duration"}}},
		{"bad header", "testdata/invalid-header.yaml", []at{{1, "apiVersion"}, {2, "kind"}}},
		{"unterminated flow mapping", "testdata/invalid-syntax.yaml", []at{{5, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(tt.file)
			require.NoError(t, err)
			_, err = Parse("scenarios.yaml", data, testBackends)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tt.want, places(verr.Problems))
			for _, p := range verr.Problems {
				assert.Equal(t, "scenarios.yaml", p.File)
			}
		})
	}
}

func TestProblemString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		{"everything", Problem{"scenarios.yaml", 14, "scenarios[0].load.rate", "must be > 0, got -5"},
			"scenarios.yaml:14: scenarios[0].load.rate: must be > 0, got -5"},
		{"no line", Problem{File: "s.yaml", Message: "empty document"}, "s.yaml: empty document"},
		{"no path", Problem{File: "s.yaml", Line: 3, Message: "invalid YAML: x"}, "s.yaml:3: invalid YAML: x"},
		{"built in code", Problem{Path: "load.rate", Message: "must be > 0, got -5"}, "load.rate: must be > 0, got -5"},
		{"line without file", Problem{Line: 2, Path: "kind", Message: "m"}, "line 2: kind: m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.p.String())
		})
	}
}

func TestValidationErrorText(t *testing.T) {
	t.Parallel()
	one := Problem{"a.yaml", 3, "kind", "m1"}
	two := Problem{"a.yaml", 5, "scenarios", "m2"}
	tests := []struct {
		name string
		err  *ValidationError
		want string
	}{
		{"one problem is one line", &ValidationError{[]Problem{one}}, "a.yaml:3: kind: m1"},
		{"several get a count", &ValidationError{[]Problem{one, two}},
			"2 problems in a.yaml:\na.yaml:3: kind: m1\na.yaml:5: scenarios: m2"},
		{"in code, no file", &ValidationError{[]Problem{{Path: "a", Message: "x"}, {Path: "b", Message: "y"}}},
			"2 problems:\na: x\nb: y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var err error = tt.err
			assert.Equal(t, tt.want, err.Error())
			var verr *ValidationError
			assert.True(t, errors.As(err, &verr))
		})
	}
}

func TestFind(t *testing.T) {
	t.Parallel()
	cat, err := LoadFile("../scenarios.yaml", testBackends)
	require.NoError(t, err)
	tests := []struct {
		name    string
		find    string
		wantErr string
	}{
		{"known", "step-load", ""},
		{"typo gets a suggestion", "baselin",
			`unknown scenario "baselin" in ../scenarios.yaml (did you mean "baseline"?); known: baseline, step-load, ramp-load, payment-pod-kill, payment-partition, product-latency, order-payment-partition, payment-http-abort, order-cpu-stress, gateway-bandwidth, retry-storm, retry-demo, canary-split`},
		{"unknown lists the names", "chaos",
			`unknown scenario "chaos" in ../scenarios.yaml; known: baseline, step-load, ramp-load, payment-pod-kill, payment-partition, product-latency, order-payment-partition, payment-http-abort, order-cpu-stress, gateway-bandwidth, retry-storm, retry-demo, canary-split`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := cat.Find(tt.find)
			if tt.wantErr != "" {
				require.ErrorIs(t, err, ErrUnknownScenario)
				assert.EqualError(t, err, tt.wantErr)
				assert.Nil(t, s)
				return
			}
			require.NoError(t, err)
			assert.Same(t, &cat.Scenarios[1], s)
		})
	}
}

func TestLoadFileMissing(t *testing.T) {
	t.Parallel()
	_, err := LoadFile("testdata/no-such-file.yaml", testBackends)
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "testdata/no-such-file.yaml")
}
