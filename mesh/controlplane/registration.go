package controlplane

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/meshlab/meshlab/internal/sleep"
)

// errStreamEnded says a registration stream ended.
var errStreamEnded = errors.New("registration stream ended")

// Registration is one instance kept registered by Client.Register.
type Registration struct {
	c          *Client
	inst       Instance
	mu         sync.Mutex
	ready      bool
	kick       chan struct{} // a readiness change to send now
	registered chan struct{}
	regOnce    sync.Once
	done       chan struct{}
	down       outage // used by run's goroutine only
}

// Register keeps inst registered until ctx is done: it re-registers after any loss of the
// control plane, with inst's latest readiness. Ending ctx closes the registration stream, which
// removes the instance at once.
func (c *Client) Register(ctx context.Context, inst Instance) *Registration {
	r := &Registration{
		c:          c,
		inst:       cloneInstance(inst),
		ready:      inst.Ready,
		kick:       make(chan struct{}, 1),
		registered: make(chan struct{}),
		done:       make(chan struct{}),
		down:       outage{log: c.log.With("id", inst.ID), what: "register"},
	}
	go r.run(ctx)
	return r
}

// SetReady changes the instance's readiness on the live registration (and on every later one).
// It never blocks.
func (r *Registration) SetReady(ready bool) {
	r.mu.Lock()
	r.ready = ready
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Registered returns a channel closed after the control plane first acknowledged the instance.
func (r *Registration) Registered() <-chan struct{} { return r.registered }

// Done returns a channel closed once the registration has stopped after its context ended.
func (r *Registration) Done() <-chan struct{} { return r.done }

func (r *Registration) isReady() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ready
}

// run registers, and re-registers whenever a stream ends, until ctx is done.
func (r *Registration) run(ctx context.Context) {
	defer close(r.done)
	var b backoff
	for {
		acked, err := r.stream(ctx)
		if ctx.Err() != nil {
			return
		}
		if acked {
			b.reset()
		}
		r.down.failed(err)
		if !sleep.For(ctx, b.wait()) {
			return
		}
	}
}

// stream runs one registration stream: the request body carries the instance and then the
// heartbeats, the response the acks. It reports whether the control plane acknowledged. A
// control plane silent for the client's ackTimeout (hung, or gone without closing the
// connection) ends it.
func (r *Registration) stream(ctx context.Context) (acked bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	watchdog := time.AfterFunc(r.c.ackTimeout, cancel)
	pr, pw := io.Pipe()
	var wg sync.WaitGroup
	wg.Go(func() { r.writeLines(ctx, pw) })
	defer func() {
		watchdog.Stop()
		cancel()
		pw.CloseWithError(errStreamEnded)
		wg.Wait()
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.c.base+pathRegister, pr)
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := r.c.hc.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if err := checkStatus(resp); err != nil {
		return false, err
	}
	return r.readAcks(resp.Body, watchdog)
}

// readAcks reads the server's acks until the stream ends, feeding the watchdog with each.
func (r *Registration) readAcks(body io.Reader, watchdog *time.Timer) (acked bool, err error) {
	sc := bufio.NewScanner(body)
	for sc.Scan() {
		watchdog.Reset(r.c.ackTimeout)
		var a ack
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			return acked, fmt.Errorf("decoding ack: %w", err)
		}
		if !acked {
			acked = true
			r.down.recovered()
			r.c.log.Info("registered with control plane", "id", r.inst.ID, "version", a.Version)
			r.regOnce.Do(func() { close(r.registered) })
		}
	}
	if err := sc.Err(); err != nil {
		return acked, err
	}
	return acked, errStreamEnded
}

// writeLines writes the instance, then a heartbeat every heartbeatInterval and at once on a
// readiness change, until ctx is done or the stream breaks. It then closes the body: until then
// a Transport that gave up on the request would wait for its body to end.
func (r *Registration) writeLines(ctx context.Context, w *io.PipeWriter) {
	defer w.CloseWithError(errStreamEnded)
	inst := cloneInstance(r.inst)
	inst.Ready = r.isReady()
	if writeLine(w, inst) != nil {
		return
	}
	sent := inst.Ready
	tick := time.NewTicker(heartbeatInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-r.kick:
		}
		var hb heartbeat
		if ready := r.isReady(); ready != sent {
			hb.Ready, sent = &ready, ready
		}
		if writeLine(w, hb) != nil {
			return
		}
	}
}

func writeLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
