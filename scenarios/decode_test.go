package scenarios

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

const header = "apiVersion: meshlab.dev/v1alpha1\nkind: ScenarioCatalog\n"

// TestDecodeEdges covers the walker on documents the fixtures do not: each case is a whole
// document and the exact error it must give (or "" for none).
func TestDecodeEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"aliases are followed", header + "scenarios:\n- &one\n  name: a\n  load: &l {rate: 1, duration: 5s}\n" +
			"- name: b\n  load: *l\n", ""},
		{"nulls are absent values", header + "scenarios:\n- name: a\n  topology:\n  slo: ~\n  load: {rate: 1, duration: 5s}\n", ""},
		{"quoted number is not a number", header + "scenarios:\n- name: a\n  load: {rate: \"5\", duration: 5s}\n",
			`s.yaml:5: scenarios[0].load.rate: want a number, got string "5"`},
		{"number is not a string", header + "scenarios:\n- name: 42\n  load: {rate: 1, duration: 5s}\n",
			`s.yaml:4: scenarios[0].name: want a string, got number 42`},
		{"non-finite number", header + "scenarios:\n- name: a\n  load: {rate: .inf, duration: 5s}\n",
			`s.yaml:5: scenarios[0].load.rate: want a finite number, got .inf`},
		{"boolean for a number", header + "scenarios:\n- name: a\n  load: {rate: true, duration: 5s}\n",
			`s.yaml:5: scenarios[0].load.rate: want a number, got boolean true`},
		{"list for a mapping", header + "scenarios:\n- name: a\n  load: [1, 2]\n",
			`s.yaml:5: scenarios[0].load: want a mapping, got a list`},
		{"scalar for the scenarios", header + "scenarios: many\n",
			`s.yaml:3: scenarios: want a list, got string "many"`},
		{"document is a list", "- a\n- b\n", `s.yaml:1: want a mapping, got a list`},
		{"merge keys are refused", header + "scenarios:\n- <<: {name: a}\n  load: {rate: 1, duration: 5s}\n",
			"2 problems in s.yaml:\n" +
				"s.yaml:4: scenarios[0]: merge keys (<<) are not supported; use an alias (*name) for the whole value\n" +
				"s.yaml:4: scenarios[0].name: required"},
		{"non-string key", header + "scenarios:\n- name: a\n  load: {rate: 1, duration: 5s}\n  [x]: 1\n",
			`s.yaml:6: scenarios[0]: want a field name, got a list`},
		{"odd map key is quoted in the path", header +
			"scenarios:\n- name: a\n  topology: {replicas: {\"two words\": 1}}\n  load: {rate: 1, duration: 5s}\n",
			`s.yaml:5: scenarios[0].topology.replicas["two words"]: unknown service "two words"; want one of user, product, order, payment`},
		{"second document", header + "scenarios:\n- name: a\n  load: {rate: 1, duration: 5s}\n---\nkind: x\n",
			`s.yaml:6: a catalogue is one YAML document; found another here`},
		{"scanner error line", header + "scenarios:\n- name: a\n  load: {rate: 1, duration: 5s}\n\tx: 1\n",
			`s.yaml:6: invalid YAML: found character that cannot start any token`},
		{"parser error line", header + "scenarios:\n- name: a\n  load: {rate: 1, duration: 5s}\n x: 1\n",
			`s.yaml:6: invalid YAML: did not find expected key`},
		{"syntax error in a second document", header + "scenarios: []\n---\n{\n",
			`s.yaml:6: invalid YAML: did not find expected node content`},
		{"only a document marker", "---\n", `s.yaml: empty document: want apiVersion meshlab.dev/v1alpha1, kind ScenarioCatalog and scenarios`},
		{"unknown anchor", header + "scenarios: *nope\n", `s.yaml: invalid YAML: unknown anchor 'nope' referenced`},
		{"empty", "", `s.yaml: empty document: want apiVersion meshlab.dev/v1alpha1, kind ScenarioCatalog and scenarios`},
		{"no scenarios", header, `s.yaml:1: scenarios: required: at least one scenario`},
		{"missing header", "scenarios:\n- name: a\n  load: {rate: 1, duration: 5s}\n",
			"2 problems in s.yaml:\n" +
				`s.yaml:1: apiVersion: required: "meshlab.dev/v1alpha1"` + "\n" +
				`s.yaml:1: kind: required: "ScenarioCatalog"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cat, err := Parse("s.yaml", []byte(tt.doc), testBackends)
			if tt.want == "" {
				require.NoError(t, err)
				assert.NotNil(t, cat)
				return
			}
			require.Error(t, err)
			assert.Nil(t, cat)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestAliasesShareNothingAfterLoading(t *testing.T) {
	t.Parallel()
	cat, err := Parse("s.yaml", []byte(header+"scenarios:\n- name: a\n  load: &l {rate: 1, duration: 5s}\n"+
		"- name: b\n  load: *l\n"), testBackends)
	require.NoError(t, err)
	cat.Scenarios[0].Load.Mix[0].Weight = 99
	assert.Equal(t, DefaultMix[0].Weight, cat.Scenarios[1].Load.Mix[0].Weight)
	assert.Equal(t, cat.Scenarios[0].Load.Rate, cat.Scenarios[1].Load.Rate)
}

func TestExcessiveAliasingIsBounded(t *testing.T) {
	t.Parallel()
	// 600 aliases of a scenario of 600 steps: 360,000 steps from a 20 kB document.
	var b strings.Builder
	b.WriteString(header + "scenarios:\n- &s\n  name: a\n  load:\n    profile: steps\n    steps:\n")
	for range 600 {
		b.WriteString("    - {rate: 1, duration: 1s}\n")
	}
	for range 600 {
		b.WriteString("- *s\n")
	}
	_, err := Parse("s.yaml", []byte(b.String()), testBackends)
	require.Error(t, err)
	assert.Regexp(t, `^s\.yaml:\d+: scenarios\[\d+\]\.load\.steps\[\d+\].*: document too large \(too many nodes or aliases\)$`,
		err.Error(), "one problem: the rest of the document is not judged")
}

func TestWalkerInlineAndUntaggedFields(t *testing.T) {
	t.Parallel()
	type inner struct {
		Rate float64 `yaml:"rate"`
	}
	type outer struct {
		inner  `yaml:",inline"`
		Name   string `yaml:"name,omitempty"`
		Plain  int
		hidden int
		Skip   string `yaml:"-"`
	}
	var root yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte("rate: 2\nname: x\nplain: 3\nhidden: 1\nskip: y\n"), &root))
	d := newDecoder()
	var got outer
	d.value(root.Content[0], reflect.ValueOf(&got).Elem(), "")
	assert.Equal(t, outer{inner: inner{Rate: 2}, Name: "x", Plain: 3}, got)
	assert.Equal(t, []at{{4, "hidden"}, {5, "skip"}}, places(d.problems))
	assert.Equal(t, "unknown field; known fields are rate, name, plain", d.problems[0].Message)
	assert.Equal(t, "unknown field; known fields are rate, name, plain", d.problems[1].Message, "yaml:\"-\" is not a field")
}
