package controlplane

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/meshlab/meshlab/internal/sleep"
)

// watchRequestTimeout bounds one long poll on the client side, in case the control plane
// vanished without closing the connection. It must exceed the server's WatchTimeout.
const watchRequestTimeout = 2 * DefaultWatchTimeout

// Watch calls fn with each new snapshot version (in order, never concurrently) until ctx is
// done, and then returns ctx's error. The first call comes as soon as the control plane answers.
// While the control plane is unreachable Watch keeps polling and does not call fn: callers keep
// their last snapshot.
func (c *Client) Watch(ctx context.Context, fn func(Snapshot)) error {
	var (
		last uint64
		b    backoff
		down = outage{log: c.log, what: "watch"}
	)
	for {
		snap, err := c.poll(ctx, last)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			down.failed(err)
			if !sleep.For(ctx, b.wait()) {
				return ctx.Err()
			}
			continue
		}
		down.recovered()
		b.reset()
		if snap.Version != last {
			last = snap.Version
			fn(snap)
		}
	}
}

// poll runs one long poll from version since.
func (c *Client) poll(ctx context.Context, since uint64) (Snapshot, error) {
	ctx, cancel := context.WithTimeout(ctx, watchRequestTimeout)
	defer cancel()
	return c.getSnapshot(ctx, fmt.Sprintf("%s%s?version=%d", c.base, pathWatch, since))
}

// outage logs a run of failures once, when it starts and when it ends; each retry in between
// only at debug level.
type outage struct {
	log   *slog.Logger
	what  string
	since time.Time // start of the current run of failures; zero: none
}

func (o *outage) failed(err error) {
	if o.since.IsZero() {
		o.since = time.Now()
		o.log.Warn("control plane request failed, retrying", "op", o.what, "err", err)
		return
	}
	o.log.Debug("control plane request failed again", "op", o.what, "err", err)
}

func (o *outage) recovered() {
	if o.since.IsZero() {
		return
	}
	o.log.Info("control plane reachable again", "op", o.what, "after", time.Since(o.since).Round(time.Millisecond))
	o.since = time.Time{}
}
