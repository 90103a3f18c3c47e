package sidecar

import (
	"context"
	"net"
	"time"

	"github.com/meshlab/meshlab/internal/sleep"
)

// Readiness probing of the app, as a kubelet's tcpSocket readiness probe: a connection to
// Config.App every period that is accepted means ready, one refused or timed out means not.
const (
	// DefaultAppProbe is the probe period when Config.AppProbe is 0: short enough that a
	// stopped service leaves the endpoints within a tenth of a second.
	DefaultAppProbe = 100 * time.Millisecond
	// appProbeTimeout bounds one probe's connect, as a probe's timeoutSeconds does.
	appProbeTimeout = time.Second
)

// ProbeApp probes the app every Config.AppProbe until ctx ends, and flips the instance's
// readiness (AppReady, OnAppChange) on each change: ready after a probe that connects, not
// ready after one that fails. The first probe runs at once.
func (s *Sidecar) ProbeApp(ctx context.Context) {
	if s.cfg.App == "" {
		return
	}
	period := s.cfg.AppProbe
	if period <= 0 {
		period = DefaultAppProbe
	}
	d := net.Dialer{Timeout: appProbeTimeout}
	for {
		conn, err := d.DialContext(ctx, "tcp", s.cfg.App)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			conn.Close()
		}
		s.setAppReady(err == nil)
		if !sleep.For(ctx, period) {
			return
		}
	}
}

// AppReady reports whether the app answered the last probe (and no inbound request found it
// refusing since).
func (s *Sidecar) AppReady() bool { return s.appReady.Load() }

// setAppReady records the app's readiness and, when it changed, calls the OnAppChange
// functions, in order, before it returns.
func (s *Sidecar) setAppReady(up bool) {
	if s.appReady.Load() == up {
		return
	}
	s.appMu.Lock()
	defer s.appMu.Unlock()
	if s.appReady.Swap(up) == up {
		return // another caller flipped it first
	}
	if !up {
		s.inTransport.CloseIdleConnections() // connections to a process that stopped are useless
	}
	s.log.Info("app readiness changed", "app", s.cfg.App, "ready", up)
	for _, fn := range s.onApp {
		fn(up)
	}
}

// OnAppChange registers fn to be called with the app's readiness whenever it changes (the
// caller flips the instance's readiness in the control plane).
func (s *Sidecar) OnAppChange(fn func(up bool)) {
	s.appMu.Lock()
	defer s.appMu.Unlock()
	s.onApp = append(s.onApp, fn)
}
