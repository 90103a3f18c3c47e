package scenarios

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite the golden error files under testdata/")

func TestLoadFileValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		file  string
		check func(t *testing.T, c *Catalog)
	}{
		{"minimal gets every default", "testdata/valid-minimal.yaml", func(t *testing.T, c *Catalog) {
			s := c.Scenarios[0]
			assert.Equal(t, "local", s.Backend)
			assert.Equal(t, uint64(1), s.Seed)
			assert.Equal(t, 2*time.Second, s.Warmup.Duration)
			assert.Equal(t, DefaultReplicas, s.Topology.Replicas)
			require.NotNil(t, s.Topology.Retries)
			assert.Equal(t, 1, *s.Topology.Retries)
			assert.Equal(t, "constant", s.Load.Profile)
			assert.Equal(t, DefaultMix, s.Load.Mix)
			assert.Equal(t, 10*time.Second, s.Load.Timeout.Duration)
		}},
		{"full keeps every value", "testdata/valid-full.yaml", func(t *testing.T, c *Catalog) {
			require.Len(t, c.Scenarios, 3)
			s := c.Scenarios[0]
			assert.Equal(t, "Every field set.\nOn several lines.", s.Description)
			assert.Equal(t, "local", s.Backend)
			assert.Equal(t, uint64(42), s.Seed)
			assert.Equal(t, "shop", s.Namespace)
			assert.Equal(t, 1500*time.Millisecond, s.Warmup.Duration)
			assert.Equal(t, map[string]int{"user": 1, "product": 4, "order": 3, "payment": 16}, s.Topology.Replicas)
			assert.Equal(t, ServiceTime{Distribution: "fixed", Value: Duration{500 * time.Microsecond}},
				s.Topology.ServiceTime["user"])
			assert.Equal(t, ServiceTime{Distribution: "lognormal", Median: Duration{3 * time.Millisecond}, Sigma: 3},
				s.Topology.ServiceTime["order"])
			assert.Equal(t, 250*time.Millisecond, s.Topology.RestartDelay.Duration)
			require.NotNil(t, s.Topology.Retries)
			assert.Equal(t, 0, *s.Topology.Retries, "an explicit 0 turns retries off")
			assert.Equal(t, 99.5, s.Load.Rate)
			assert.Equal(t, 90*time.Second, s.Load.Duration.Duration)
			assert.Equal(t, []RouteWeight{{"GET /users/{id}", 1}, {"POST /orders", 2.5}}, s.Load.Mix)
			assert.Equal(t, 99.95, s.SLO.Availability.Objective.Value)
			assert.Equal(t, LatencySLO{Threshold: Duration{250 * time.Millisecond}, Objective: Percent{99}}, *s.SLO.Latency)
			assert.Equal(t, 3*time.Second, c.Scenarios[1].Load.Duration.Duration)
			assert.Equal(t, 50.0, c.Scenarios[2].Load.To)
		}},
		{"the shipped catalogue", "../scenarios.yaml", func(t *testing.T, c *Catalog) {
			var names []string
			for _, s := range c.Scenarios {
				names = append(names, s.Name)
				assert.NotEmpty(t, s.Description, s.Name)
				assert.Len(t, s.Topology.ServiceTime, len(Services), "%s: every service has a service time", s.Name)
				assert.NotNil(t, s.SLO.Availability, s.Name)
				assert.NotNil(t, s.SLO.Latency, s.Name)
			}
			assert.Equal(t, []string{"baseline", "step-load", "ramp-load", "payment-pod-kill", "payment-partition", "product-latency", "order-payment-partition", "payment-http-abort", "order-cpu-stress", "gateway-bandwidth", "retry-storm", "retry-demo", "canary-split"}, names)
			base := c.Scenarios[0]
			assert.Equal(t, Load{Profile: "constant", Rate: 200, Duration: Duration{25 * time.Second},
				Mix: DefaultMix, Timeout: Duration{10 * time.Second}}, base.Load)
			assert.Equal(t, "99.9%", base.SLO.Availability.Objective.String())
			assert.Equal(t, 30*time.Second, c.Scenarios[1].Load.Duration.Duration, "steps default to their sum")
			assert.Equal(t, []float64{50, 400}, []float64{c.Scenarios[2].Load.Rate, c.Scenarios[2].Load.To})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := LoadFile(tt.file, testBackends)
			require.NoError(t, err)
			assert.Equal(t, tt.file, c.File)
			assert.Equal(t, APIVersion, c.APIVersion)
			assert.Equal(t, Kind, c.Kind)
			for _, s := range c.Scenarios {
				assert.Empty(t, s.Validate(testBackends), s.Name)
			}
			tt.check(t, c)
		})
	}
}

// TestParseInvalidGolden checks the whole error text of every invalid-*.yaml fixture against
// its invalid-*.err golden file (go test -run Golden -update rewrites them).
func TestParseInvalidGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/invalid-*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			c, err := LoadFile(file, testBackends)
			require.Error(t, err)
			assert.Nil(t, c)
			golden := strings.TrimSuffix(file, ".yaml") + ".err"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(err.Error()+"\n"), 0o644))
			}
			want, rerr := os.ReadFile(golden)
			require.NoError(t, rerr)
			assert.Equal(t, strings.TrimSuffix(string(want), "\n"), err.Error())
		})
	}
}

// problemLine is one line of a ValidationError: file:line: path: message.
var problemLine = regexp.MustCompile(`^testdata/invalid-[a-z-]+\.yaml:[1-9][0-9]*: ([a-zA-Z][\w.\[\]"]*: )?\S`)

func TestErrorsNameFileLineAndPath(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/invalid-*.yaml")
	require.NoError(t, err)
	for _, file := range files {
		if strings.HasSuffix(file, "-empty.yaml") {
			continue // an empty document has no line to name
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			_, err := LoadFile(file, testBackends)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			for _, p := range verr.Problems {
				assert.Equal(t, file, p.File)
				assert.Positive(t, p.Line, p.String())
				assert.Regexp(t, problemLine, p.String())
			}
		})
	}
}

// TestCatalogYAMLRoundTrip writes loaded catalogues back as YAML (as a "show" command would)
// and reads them again strictly: the output is valid input and means the same.
func TestCatalogYAMLRoundTrip(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"../scenarios.yaml", "testdata/valid-full.yaml", "testdata/valid-minimal.yaml"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			c, err := LoadFile(file, testBackends)
			require.NoError(t, err)
			out, err := yaml.Marshal(c)
			require.NoError(t, err)
			back, err := Parse("out.yaml", out, testBackends)
			require.NoError(t, err, "%s", out)
			back.File, back.Lines = c.File, c.Lines // not part of the document
			assert.Equal(t, c, back)
		})
	}
}

func TestCatalogLineOfGates(t *testing.T) {
	t.Parallel()
	c, err := Parse("gates.yaml", []byte("apiVersion: meshlab.dev/v1alpha1\nkind: ScenarioCatalog\nscenarios:\n"+
		"  - name: a\n    load: {rate: 10, duration: 5s}\n    gates:\n      - overall.requests > 1\n      - failover.nope < 1s\n"), testBackends)
	require.NoError(t, err)
	assert.Equal(t, []string{"overall.requests > 1", "failover.nope < 1s"}, c.Scenarios[0].Gates)
	assert.Equal(t, 8, c.LineOf("scenarios[0].gates[1]"))
	assert.Equal(t, 4, c.LineOf("scenarios[0].missing"), "a path the document lacks: its nearest ancestor")
}
