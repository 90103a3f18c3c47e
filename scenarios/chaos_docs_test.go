package scenarios

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChaosMeshDocsExamples loads every Network/Pod/HTTP/Stress example of Chaos Mesh's
// documentation, selectors pointed at this topology, unchanged otherwise.
func TestChaosMeshDocsExamples(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/chaos-mesh-docs/*.yaml")
	require.NoError(t, err)
	require.Len(t, files, 4)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			c, err := LoadFile(file, testBackends)
			require.NoError(t, err)
			for _, s := range c.Scenarios {
				plan, err := s.FaultPlan(s.Load.Duration.Duration)
				require.NoError(t, err)
				assert.Len(t, plan, len(s.Faults))
				for _, f := range plan {
					assert.NotNil(t, f.Object, f.Name)
					assert.NotEmpty(t, f.Action, f.Name)
				}
			}
		})
	}
}
