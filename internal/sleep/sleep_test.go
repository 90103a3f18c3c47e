package sleep

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestFor(t *testing.T) {
	t.Parallel()
	start := time.Now()
	assert.True(t, For(context.Background(), 20*time.Millisecond))
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)
	assert.True(t, For(context.Background(), 0), "nothing to wait for")

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(10*time.Millisecond, cancel)
	start = time.Now()
	assert.False(t, For(ctx, time.Hour), "the context ended first")
	assert.Less(t, time.Since(start), time.Minute)
	assert.False(t, For(ctx, 0), "an ended context reports false even without waiting")
	assert.False(t, Until(ctx, time.Now().Add(-time.Second)))
	assert.True(t, Until(context.Background(), time.Now().Add(-time.Second)), "a past moment has come")
}
