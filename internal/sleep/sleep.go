// Package sleep waits for a duration or a moment unless a context ends first: the one helper
// every timed wait of the harness and the mesh uses (a retry's backoff, an injected delay, a
// restart delay, a fault's offset).
package sleep

import (
	"context"
	"time"
)

// For waits d, or until ctx ends; it reports whether all of d passed with ctx still live. A d
// of zero or less does not wait.
func For(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Until waits for the moment at, or until ctx ends; it reports whether at came with ctx still
// live.
func Until(ctx context.Context, at time.Time) bool { return For(ctx, time.Until(at)) }
