package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKindUpChecksConfigFirst: a missing cluster config is an error at once, before the node
// image build (which can take half an hour cold) or any cluster.
func TestKindUpChecksConfigFirst(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	start := time.Now()
	err := Run(context.Background(), Streams{Out: &out, Err: &errOut}, []string{"kind", "up", "--config", "/nonexistent/kind.yaml"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cluster config")
	assert.Contains(t, err.Error(), "/nonexistent/kind.yaml")
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Empty(t, errOut.String(), "nothing was built")
}

func TestKindCommandsListed(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, Run(context.Background(), Streams{Out: &out, Err: &out}, []string{"kind", "--help"}))
	for _, c := range []string{"node-image", "up", "down"} {
		assert.Contains(t, out.String(), c)
	}
}
