package reports

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/scenarios"
)

const gatesCatalog = `apiVersion: meshlab.dev/v1alpha1
kind: ScenarioCatalog
scenarios:
  - name: a
    load: {rate: 10, duration: 5s}
    faults:
      - apiVersion: chaos-mesh.org/v1alpha1
        kind: PodChaos
        metadata: {name: kill}
        spec: {action: pod-kill, mode: one, selector: {labelSelectors: {app: payment}}}
    gates:
      - faults.kill.requestsFailed <= 3
      - failover.timeToRecoverr < 5s
      - faults.nokill.timeToDetect < 1s
`

func TestCheckCatalogGates(t *testing.T) {
	t.Parallel()
	cat, err := scenarios.Parse("g.yaml", []byte(gatesCatalog), []string{"local"})
	require.NoError(t, err)
	err = CheckCatalogGates(cat)
	var ve *scenarios.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Problems, 2)
	assert.Equal(t, "g.yaml", ve.Problems[0].File)
	assert.Equal(t, 13, ve.Problems[0].Line)
	assert.Equal(t, "scenarios[0].gates[1]", ve.Problems[0].Path)
	assert.Contains(t, ve.Problems[0].Message, "timeToRecoverr")
	assert.Equal(t, 14, ve.Problems[1].Line)
	assert.Contains(t, ve.Problems[1].Message, "nokill")
}

func TestCheckGatesShippedCatalog(t *testing.T) {
	t.Parallel()
	cat, err := scenarios.LoadFile("../scenarios.yaml", []string{"local"})
	require.NoError(t, err)
	assert.NoError(t, CheckCatalogGates(cat))
}
