package identity

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meshlab/meshlab/internal/sleep"
)

// Defaults for the zero values of Options.
const (
	DefaultRetryMin     = 100 * time.Millisecond
	DefaultRetryMax     = 2 * time.Second
	DefaultFetchTimeout = 5 * time.Second
)

// Options configure a Source. Zero values mean the defaults.
type Options struct {
	// CAURL is the control plane's base URL ("http://127.0.0.1:7000").
	CAURL string
	// Token is the run token the CA requires; "" sends none.
	Token string
	// Namespace and Service name the workload: its ID is ID(Namespace, Service).
	Namespace, Service string
	// TTL is the lifetime to ask for; 0: the CA's default (1h).
	TTL time.Duration
	// TTLFunc, when set, is asked for the lifetime at every renewal instead of TTL (a policy
	// that changes at run time); 0 from it: the CA's default.
	TTLFunc func() time.Duration
	// RetryMin and RetryMax bound the doubling back-off while the CA cannot be reached.
	RetryMin, RetryMax time.Duration
	// Client sends the requests; nil: a client with DefaultFetchTimeout.
	Client *http.Client
	// Now is the clock for renewal times and certificate checks; nil: time.Now.
	Now func() time.Time
	// Logger receives rotations and failures; nil discards them.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.RetryMin <= 0 {
		o.RetryMin = DefaultRetryMin
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(DefaultRetryMax, o.RetryMin)
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: DefaultFetchTimeout}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Source holds a workload's current certificate and renews it in the background (Run).
type Source struct {
	opts  Options
	id    string
	log   *slog.Logger
	cur   atomic.Pointer[bundle]
	ready chan struct{}
	once  sync.Once
	stats stats

	serverCfg  *tls.Config
	clientCfgs sync.Map // service → *tls.Config
}

// bundle is one issued certificate with the roots known when it arrived.
type bundle struct {
	cert    *tls.Certificate
	roots   *x509.CertPool
	certs   []*x509.Certificate // the roots, for merging
	server  *tls.Config         // of handshakes while this bundle is current
	renewAt time.Time
}

// New returns a Source for the workload opts names. It has no certificate until Run fetched
// one (Ready).
func New(opts Options) (*Source, error) {
	if opts.CAURL == "" {
		return nil, errors.New("identity: no CA URL")
	}
	id := ID(opts.Namespace, opts.Service)
	if _, _, err := ParseID(id); err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	opts = opts.withDefaults()
	s := &Source{opts: opts, id: id, log: opts.Logger.With("spiffe", id), ready: make(chan struct{})}
	s.serverCfg = s.newServerConfig()
	return s, nil
}

// ID returns the workload's SPIFFE ID.
func (s *Source) ID() string { return s.id }

// Ready is closed once the first certificate arrived.
func (s *Source) Ready() <-chan struct{} { return s.ready }

// Certificate returns the current certificate; nil before the first.
func (s *Source) Certificate() *tls.Certificate {
	if b := s.cur.Load(); b != nil {
		return b.cert
	}
	return nil
}

// Run fetches a certificate and renews it at half its remaining life until ctx ends, retrying
// with back-off while the CA is unreachable; the old certificate serves meanwhile. It returns
// ctx's error.
func (s *Source) Run(ctx context.Context) error {
	retry := s.opts.RetryMin
	for {
		var wait time.Duration
		if err := s.Rotate(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.stats.rotationFailures.Add(1)
			s.log.Warn("certificate renewal failed; retrying", "err", err, "retry", retry)
			wait, retry = retry, min(2*retry, s.opts.RetryMax)
		} else {
			retry = s.opts.RetryMin
			wait = s.cur.Load().renewAt.Sub(s.opts.Now())
		}
		if !sleep.For(ctx, wait) {
			return ctx.Err()
		}
	}
}

// Rotate fetches a new certificate now and makes it current.
func (s *Source) Rotate(ctx context.Context) error {
	b, err := s.fetch(ctx)
	if err != nil {
		return err
	}
	if old := s.cur.Load(); old != nil {
		b.roots, b.certs = mergeRoots(old.certs, b.certs)
		s.stats.rotations.Add(1)
	}
	b.server = s.bundleServerConfig(b)
	s.cur.Store(b)
	s.once.Do(func() { close(s.ready) })
	s.log.Debug("certificate issued", "expires", b.cert.Leaf.NotAfter, "renew_at", b.renewAt)
	return nil
}

// mergeRoots returns the union of old and new roots, so certificates of either verify while
// a CA changes.
func mergeRoots(old, fresh []*x509.Certificate) (*x509.CertPool, []*x509.Certificate) {
	all := append([]*x509.Certificate(nil), fresh...)
	for _, o := range old {
		dup := false
		for _, f := range fresh {
			dup = dup || o.Equal(f)
		}
		if !dup {
			all = append(all, o)
		}
	}
	pool := x509.NewCertPool()
	for _, c := range all {
		pool.AddCert(c)
	}
	return pool, all
}
