package load

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/scenarios"
)

// Config is one attack.
type Config struct {
	// GatewayURL is the base URL of the gateway, e.g. "http://127.0.0.1:8080".
	GatewayURL string
	// Load is the validated load: its profile, mix and Timeout (the client timeout per
	// request; zero means DefaultTimeout).
	Load scenarios.Load
	// Seed makes the requests of the attack reproducible (see NewTargeter).
	Seed uint64
	// Out receives every sample as it arrives, gob-encoded by vegeta.NewEncoder and written
	// through at once, so a run that dies keeps every sample already taken. Required.
	Out io.Writer
	// OnResult, when set, sees every sample after it is written, from one goroutine. It
	// should return quickly: it holds up the next sample.
	OnResult func(*vegeta.Result)
	// Logger receives the attack's start and end; nil discards them.
	Logger *slog.Logger
}

// Summary tells how an attack went.
type Summary struct {
	// Started is when the attack began: the origin of the profile's At.
	Started time.Time
	// Scheduled is the number of hits the profile called for.
	Scheduled uint64
	// Sent is the number of hits made (each gives one result, whatever its outcome).
	Sent uint64
	// Completed is the number of samples written to Out.
	Completed uint64
	// Duration runs from Started until the last request in flight finished.
	Duration time.Duration
}

// Attack drives cfg.Load through the gateway and writes a sample of every request to cfg.Out,
// its Timestamp the time the schedule intended the request to be sent and its Latency counted
// from then (see the package documentation). It blocks until the schedule is done and every
// request in flight has finished.
//
// When ctx is done, Attack sends no more requests, waits for those in flight (up to the client
// timeout), and returns with ctx's error; every sample taken is written. When writing a sample
// fails, Attack stops the same way and returns that error. A failed request is not an error:
// it is a sample.
//
// The attack's client keeps connections alive (MaxIdleConnsPerHost), asks for no compression,
// follows no redirect and ignores proxy settings in the environment; vegeta's workers are
// unbounded, so a stalled gateway never holds a request back.
func Attack(ctx context.Context, cfg Config) (Summary, error) {
	return attack(ctx, cfg)
}

// attack is Attack with extra vegeta options, for tests.
func attack(ctx context.Context, cfg Config, opts ...func(*vegeta.Attacker)) (Summary, error) {
	profile, targeter, err := prepare(cfg)
	if err != nil {
		return Summary{}, err
	}
	if err := ctx.Err(); err != nil {
		return Summary{Scheduled: profile.Total()}, fmt.Errorf("attack not started: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	timeout := cfg.Load.Timeout.Duration
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	client, counter := newClient(timeout)
	defer client.CloseIdleConnections()

	clk := newClock(profile)
	atk := vegeta.NewAttacker(append([]func(*vegeta.Attacker){
		vegeta.Client(client), vegeta.MaxBody(MaxBody),
	}, opts...)...)
	log.Info("load attack starting", "gateway", cfg.GatewayURL, "profile", profile, "timeout", timeout)

	r := newRecorder(cfg, clk, counter)
	err = r.record(ctx, atk, atk.Attack(targeter, clk, 0, ""))
	sum := r.summary()
	attrs := []any{"scheduled", sum.Scheduled, "sent", sum.Sent, "completed", sum.Completed, "duration", sum.Duration}
	if err != nil {
		log.Warn("load attack stopped", append(attrs, "error", err)...)
	} else {
		log.Info("load attack done", attrs...)
	}
	return sum, err
}

// prepare checks what a validated load cannot promise and builds the schedule and targeter.
func prepare(cfg Config) (Profile, vegeta.Targeter, error) {
	if cfg.Out == nil {
		return nil, nil, errors.New("attack: no output for the samples")
	}
	if u, err := url.Parse(cfg.GatewayURL); err != nil || u.Scheme == "" || u.Host == "" {
		return nil, nil, fmt.Errorf("attack: gateway URL %q is not absolute", cfg.GatewayURL)
	}
	profile, err := NewProfile(cfg.Load)
	if err != nil {
		return nil, nil, fmt.Errorf("attack: %w", err)
	}
	targeter, err := newTargeter(cfg.GatewayURL, cfg.Load.Mix, cfg.Seed)
	if err != nil {
		return nil, nil, fmt.Errorf("attack: %w", err)
	}
	return profile, targeter, nil
}

// recorder takes an attack's results as they arrive: rewrites, writes, reports each.
type recorder struct {
	cfg     Config
	clock   *clock
	counter *byteCounter
	bw      *bufio.Writer
	enc     vegeta.Encoder

	sent, completed uint64
}

func newRecorder(cfg Config, clk *clock, counter *byteCounter) *recorder {
	bw := bufio.NewWriter(cfg.Out)
	return &recorder{cfg: cfg, clock: clk, counter: counter, bw: bw, enc: vegeta.NewEncoder(bw)}
}

// summary tells how the attack went so far.
func (r *recorder) summary() Summary {
	sum := Summary{Scheduled: r.clock.Total(), Sent: r.sent, Completed: r.completed}
	if began, ok := r.clock.start(); ok {
		sum.Started, sum.Duration = began, time.Since(began)
	}
	return sum
}

// record consumes results until vegeta closes them. When ctx is done or a write fails, it stops
// the attack and keeps draining, so no request in flight is abandoned.
func (r *recorder) record(ctx context.Context, atk *vegeta.Attacker, results <-chan *vegeta.Result) error {
	var werr, cerr error
	done := ctx.Done()
	stop := func() {
		r.clock.halt()
		atk.Stop()
	}
	for {
		select {
		case <-done:
			done, cerr = nil, fmt.Errorf("attack interrupted: %w", ctx.Err())
			stop()
		case res, ok := <-results:
			if !ok {
				return errors.Join(werr, cerr)
			}
			r.sent++
			if werr != nil {
				continue
			}
			if werr = r.take(res); werr != nil {
				stop()
			}
		}
	}
}

// take rewrites res, writes it through and hands it to OnResult.
func (r *recorder) take(res *vegeta.Result) error {
	rewrite(res, r.clock.intended(res.Seq))
	if n, ok := r.counter.take(res.Seq); ok {
		res.BytesIn = n
	}
	if res.Error == "" {
		res.Body = nil // a success's body says nothing a sample needs
	}
	if err := r.enc.Encode(res); err != nil {
		return fmt.Errorf("writing sample %d: %w", res.Seq, err)
	}
	if err := r.bw.Flush(); err != nil {
		return fmt.Errorf("writing sample %d: %w", res.Seq, err)
	}
	r.completed++
	if r.cfg.OnResult != nil {
		r.cfg.OnResult(res)
	}
	return nil
}
