package main

import (
	"context"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/identity"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
	"github.com/meshlab/meshlab/mesh/sidecar"
)

// mtlsRetryMax bounds the back-off of a failed certificate renewal.
const mtlsRetryMax = 2 * time.Second

// security is a workload's mTLS state: its identity, and the mode and certificate lifetime of
// the policy in force (set by setPolicy from every snapshot, read per connection).
type security struct {
	src     *identity.Source
	log     *slog.Logger
	strict  atomic.Bool
	ttl     atomic.Int64 // the policy's certTTL in ns; 0: the CA's default
	changed chan struct{}
	inFails atomic.Uint64 // inbound handshakes refused (plaintext in STRICT, bad certificates)
}

func newSecurity(log *slog.Logger, caURL, namespace, service string) (*security, error) {
	s := &security{log: log, changed: make(chan struct{}, 1)}
	src, err := identity.New(identity.Options{CAURL: caURL, Token: token(), Namespace: namespace,
		Service: service, Logger: log, RetryMax: mtlsRetryMax,
		TTLFunc: func() time.Duration { return time.Duration(s.ttl.Load()) }})
	if err != nil {
		return nil, err
	}
	s.src = src
	return s, nil
}

// setPolicy takes the mTLS part of doc; a changed certTTL renews the certificate at once.
func (s *security) setPolicy(doc *policy.MeshPolicy) {
	var m *policy.MTLS
	if doc != nil {
		m = doc.Spec.Security.MTLS
	}
	s.strict.Store(m != nil && strings.EqualFold(m.Mode, policy.MTLSStrict))
	var ttl int64
	if m != nil {
		ttl = int64(m.CertTTL.Duration)
	}
	if s.ttl.Swap(ttl) != ttl {
		select {
		case s.changed <- struct{}{}:
		default:
		}
	}
}

// isStrict reports whether the policy in force asks for STRICT mTLS.
func (s *security) isStrict() bool { return s.strict.Load() }

// inboundFailed counts a refused inbound handshake.
func (s *security) inboundFailed(err error) {
	s.inFails.Add(1)
	s.src.HandshakeFailed(err)
}

// run keeps a certificate fresh until ctx ends: renewed at half its life, at once when the
// policy's certTTL changes, retried with back-off while the CA is unreachable.
func (s *security) run(ctx context.Context) {
	retry := 100 * time.Millisecond
	for {
		wait := retry
		if err := s.src.Rotate(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("certificate renewal failed; retrying", "err", err, "retry", retry)
			retry = min(2*retry, mtlsRetryMax)
		} else {
			retry = 100 * time.Millisecond
			wait = time.Until(s.src.Certificate().Leaf.NotAfter) / 2
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-s.changed:
			t.Stop()
		}
	}
}

// transport is the outbound transport: plaintext (plain) while the policy is not STRICT,
// else mutual TLS over the same dial.
func (s *security) transport(plain *proxy.Transport) http.RoundTripper {
	return sidecar.MTLSTransport(s.src, s.isStrict, plain)
}

// withStats serves GET /v1/stats (what stats returns) in front of next.
func withStats(next http.Handler, stats func() adminapi.StatsView) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", next)
	mux.Handle("GET "+adminapi.Stats, adminapi.RequireToken(token(), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		v := stats()
		v.Workers = runtime.GOMAXPROCS(0)
		v.MemoryLimitBytes = debug.SetMemoryLimit(-1)
		v.TimerSlackNs = int64(timerSlack())
		v.MonitorPoll = monitorPolls()
		v.GCCycles = gcCycles()
		writeJSON(w, http.StatusOK, v)
	})))
	return mux
}
