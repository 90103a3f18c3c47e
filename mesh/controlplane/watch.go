package controlplane

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// handleWatch serves a long poll: GET /v1/watch?version=N returns the snapshot once its version
// differs from N (at once for N=0), or the current one after WatchTimeout.
func (s *Server) handleWatch(w http.ResponseWriter, r *http.Request) {
	since, err := parseVersion(r.URL.Query().Get("version"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	// The poll may outlast any write timeout of the http.Server.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	snap, err := s.awaitChange(r.Context(), since)
	if err != nil {
		if errors.Is(err, errServerClosed) {
			writeError(w, http.StatusServiceUnavailable, err)
		}
		return
	}
	writeJSON(w, http.StatusOK, snap)
}

func parseVersion(v string) (uint64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad version %q: %w", v, err)
	}
	return n, nil
}

// awaitChange waits until there is a snapshot to send a watcher that has version since.
func (s *Server) awaitChange(ctx context.Context, since uint64) (Snapshot, error) {
	grace, wait := s.holdBack(since)
	timeout := time.NewTimer(wait)
	defer timeout.Stop()
	for {
		snap, changed := s.store.current()
		if since == 0 || (snap.Version != since && grace == nil) {
			return snap, nil
		}
		select {
		case <-changed:
		case <-grace:
			grace = nil
		case <-timeout.C:
			snap, _ = s.store.current()
			return snap, nil
		case <-s.done:
			return Snapshot{}, errServerClosed
		case <-ctx.Done():
			return Snapshot{}, ctx.Err()
		}
	}
}

// holdBack returns, for a watcher with version since, a channel to wait for before answering (nil:
// none) and how long the poll may last. A version this server never issued comes from a previous
// incarnation: it is held until the resync grace is over, so the watcher does not see the mesh
// empty or half-registered while live clients re-register.
func (s *Server) holdBack(since uint64) (<-chan struct{}, time.Duration) {
	select {
	case <-s.graceOver:
		return nil, s.opts.WatchTimeout
	default:
	}
	if since == 0 || s.store.issued(since) {
		return nil, s.opts.WatchTimeout
	}
	return s.graceOver, max(s.opts.WatchTimeout, time.Until(s.graceEnd))
}
