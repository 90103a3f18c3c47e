package controlplane

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/meshlab/meshlab/mesh/adminapi"
)

// Defaults for the zero values of ServerOptions.
const (
	DefaultHeartbeatTTL = 10 * time.Second
	DefaultWatchTimeout = 30 * time.Second
	DefaultResyncGrace  = 2 * time.Second
)

// ServerOptions configure a Server. Zero values mean the defaults.
type ServerOptions struct {
	// HeartbeatTTL removes a registered instance when no heartbeat arrives for this long on its
	// still-open connection (a closed connection removes it at once). Clients beat every second,
	// so the default, DefaultHeartbeatTTL, rides out seconds of CPU starvation.
	HeartbeatTTL time.Duration
	// WatchTimeout bounds a long poll that sees no change; it then returns the current snapshot.
	WatchTimeout time.Duration
	// ResyncGrace is how long a fresh server holds back watchers that knew a previous
	// incarnation, so live clients re-register first. Negative: no grace.
	ResyncGrace time.Duration
	// PropagationDelay holds back an instance's removal after its registration ends, as
	// Kubernetes takes a moment (kubelet → EndpointSlice → xDS push) to drop a deleted pod
	// from every proxy's endpoints; 0 (the default) removes it at once.
	PropagationDelay time.Duration
	// Token is the run token that PUT /v1/policy requires; "" disables the check.
	Token string
	// CA, when set, serves POST /v1/certs and GET /v1/ca (NewCA); nil: no CA endpoints.
	CA *CA
	// Logger receives registrations, removals and readiness changes; nil discards them.
	Logger *slog.Logger
}

func (o ServerOptions) withDefaults() ServerOptions {
	if o.HeartbeatTTL <= 0 {
		o.HeartbeatTTL = DefaultHeartbeatTTL
	}
	if o.WatchTimeout <= 0 {
		o.WatchTimeout = DefaultWatchTimeout
	}
	if o.ResyncGrace == 0 {
		o.ResyncGrace = DefaultResyncGrace
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Server is the control plane: it keeps the registered instances and serves registration,
// watch and snapshot requests through Handler.
type Server struct {
	opts      ServerOptions
	log       *slog.Logger
	store     *store
	graceEnd  time.Time
	graceOver chan struct{} // closed when ResyncGrace has passed
	done      chan struct{} // closed by Close
	closeOnce sync.Once
	hooked    sync.Map // *http.Server → struct{}: servers whose Shutdown calls Close
}

// NewServer returns a Server with empty state. Its resync grace starts now, so create it when
// its listener is about to serve.
func NewServer(opts ServerOptions) *Server {
	opts = opts.withDefaults()
	now := time.Now()
	s := &Server{
		opts:      opts,
		log:       opts.Logger,
		store:     newStore(uint64(now.UnixMicro())),
		graceEnd:  now.Add(max(opts.ResyncGrace, 0)),
		graceOver: make(chan struct{}),
		done:      make(chan struct{}),
	}
	if opts.ResyncGrace > 0 {
		time.AfterFunc(opts.ResyncGrace, func() { close(s.graceOver) })
	} else {
		close(s.graceOver)
	}
	return s
}

// Handler serves the control plane's HTTP API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/register", s.handleRegister)
	mux.HandleFunc("GET /v1/watch", s.handleWatch)
	mux.HandleFunc("GET /v1/snapshot", s.handleSnapshot)
	mux.Handle("PUT "+pathPolicy, adminapi.RequireToken(s.opts.Token, http.HandlerFunc(s.handlePutPolicy)))
	mux.HandleFunc("GET "+pathPolicy, s.handleGetPolicy)
	mountCA(mux, s.opts.CA)
	mux.HandleFunc("GET "+adminapi.Health, func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok\n"))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hookShutdown(r)
		mux.ServeHTTP(w, r)
	})
}

// SetInstances makes insts the whole set of instances, replacing every registration: for a
// control plane whose source of truth is outside it (Kubernetes' EndpointSlices, where a pod's
// readiness is the kubelet's), whose sidecars do not register. Only the ready ones are listed
// in snapshots; a call that changes nothing publishes no version.
func (s *Server) SetInstances(insts []Instance) { s.store.replace(insts) }

// Snapshot returns a copy of the current snapshot.
func (s *Server) Snapshot() Snapshot {
	snap, _ := s.store.current()
	return snap.clone()
}

// Close ends every registration stream and long poll without removing anything, so watchers
// keep their last snapshot: a closing control plane is an outage, not an empty mesh. The
// http.Server that serves Handler calls Close on Shutdown by itself.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.store.freeze()
		close(s.done)
	})
}

// hookShutdown makes the serving http.Server's Shutdown call Close: registration streams never
// end by themselves, and Shutdown waits for every active request.
func (s *Server) hookShutdown(r *http.Request) {
	hs, ok := r.Context().Value(http.ServerContextKey).(*http.Server)
	if !ok {
		return
	}
	if _, loaded := s.hooked.LoadOrStore(hs, struct{}{}); !loaded {
		hs.RegisterOnShutdown(s.Close)
	}
}

func (s *Server) handleSnapshot(w http.ResponseWriter, _ *http.Request) {
	snap, _ := s.store.current()
	writeJSON(w, http.StatusOK, snap)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, map[string]string{"error": err.Error()})
}
