package sidecar

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/meshlab/meshlab/mesh/proxy"
)

// DefaultTimeout is the per-route timeout of outbound calls when Config.Timeout is 0.
const DefaultTimeout = proxy.DefaultTimeout

// Config configures a Sidecar.
type Config struct {
	// Service is the service of the fronted instance ("payment"); required.
	Service string
	// Instance is the instance id ("payment-1"); required.
	Instance string
	// Version is the instance's version label, shown in its config.
	Version string
	// App is host:port of the local service process, fixed for the pod's life as a
	// container's port is; "" fronts no app (every inbound request gets 503).
	App string
	// AppProbe is the period of ProbeApp's readiness probes; 0: DefaultAppProbe.
	AppProbe time.Duration
	// Timeout is the per-route timeout of outbound calls, retries included; 0: DefaultTimeout.
	Timeout time.Duration
	// Retries is how many more tries an idempotent outbound call gets; 0: none.
	Retries int
	// Token is the run token guarding the admin handler; "" disables the check.
	Token string
	// Logger receives the sidecar's events; nil discards them.
	Logger *slog.Logger

	// Inbound middlewares run on every inbound request before it goes to the app, the first
	// outermost (faults, authz).
	Inbound []proxy.Middleware
	// OutboundRequest middlewares run once per outbound call, inside its timeout.
	OutboundRequest []proxy.Middleware
	// OutboundAttempt middlewares run once per try of an outbound call, its endpoint picked.
	OutboundAttempt []proxy.Middleware
	// Transport carries outbound tries to the mesh; nil: proxy.NewTransport(). meshd passes
	// one that dials from the pod's address through its network-fault engine.
	Transport http.RoundTripper
}

// validate reports every problem of c at once.
func (c Config) validate() error {
	var errs []error
	if c.Service == "" {
		errs = append(errs, errors.New("service is empty"))
	}
	if c.Instance == "" {
		errs = append(errs, errors.New("instance is empty"))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout %v is negative", c.Timeout))
	}
	if c.AppProbe < 0 {
		errs = append(errs, fmt.Errorf("app probe period %v is negative", c.AppProbe))
	}
	if c.Retries < 0 {
		errs = append(errs, fmt.Errorf("retries %d is negative", c.Retries))
	}
	if err := checkAddr(c.App); err != nil {
		errs = append(errs, fmt.Errorf("app: %w", err))
	}
	return errors.Join(errs...)
}

// checkAddr accepts "" (no app) or host:port.
func checkAddr(addr string) error {
	if addr == "" {
		return nil
	}
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return fmt.Errorf("%q is not host:port", addr)
	}
	return nil
}
