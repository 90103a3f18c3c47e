package clusters

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type named string

func (n named) Name() string                         { return string(n) }
func (named) Up(context.Context, Spec) (Mesh, error) { return nil, nil }

func TestRegistry(t *testing.T) {
	t.Parallel()
	r := Registry{"local": named("local"), "fake": named("fake")}
	assert.Equal(t, []string{"fake", "local"}, r.Names())
	b, err := r.Get("local")
	require.NoError(t, err)
	assert.Equal(t, "local", b.Name())
	_, err = r.Get("kind")
	require.Error(t, err)
	assert.Equal(t, `backend "kind" is not available here (this build has: fake, local)`, err.Error())
}
