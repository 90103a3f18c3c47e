package controlplane

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"
)

var (
	errTTLExpired   = errors.New("no heartbeat within the TTL")
	errServerClosed = errors.New("control plane closing")
	errReplaced     = errors.New("replaced by a newer registration")
)

// handleRegister serves one registration stream: the Instance as the first line, then heartbeats
// until the client goes away, stops beating for the TTL, or the server closes.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	sess := s.openSession(w, r)
	defer sess.close()
	inst, code, err := sess.instance()
	if err != nil {
		writeError(w, code, err)
		return
	}
	sess.id, sess.lease = inst.ID, s.store.put(inst)
	s.log.Info("instance registered", "id", inst.ID, "service", inst.Service, "addr", inst.Addr,
		"ready", inst.Ready, "remote", r.RemoteAddr)
	s.unregister(r.Context(), inst, sess.lease, sess.serve())
}

// unregister removes the instance after its stream ended with err, unless a newer registration
// replaced it or the server is closing (an outage must not look like an empty mesh).
func (s *Server) unregister(ctx context.Context, inst Instance, lease uint64, err error) {
	if errors.Is(err, errServerClosed) {
		return
	}
	if d := s.opts.PropagationDelay; d > 0 {
		time.AfterFunc(d, func() { s.remove(context.Background(), inst, lease, err) })
		return
	}
	s.remove(ctx, inst, lease, err)
}

// remove takes the instance out of the snapshot unless a newer registration replaced it.
func (s *Server) remove(ctx context.Context, inst Instance, lease uint64, err error) {
	if !s.store.remove(inst.ID, lease) {
		s.log.Info("registration stream replaced", "id", inst.ID, "reason", reason(err))
		return
	}
	level := slog.LevelInfo
	if errors.Is(err, errTTLExpired) {
		level = slog.LevelWarn
	}
	s.log.Log(ctx, level, "instance removed", "id", inst.ID, "service", inst.Service, "reason", reason(err))
}

// reason says why a registration stream ended, for the log.
func reason(err error) string {
	switch {
	case errors.Is(err, io.EOF):
		return "stream ended by the client"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, context.Canceled), errors.Is(err, net.ErrClosed):
		return "connection closed"
	}
	return err.Error()
}

// session is the server side of one registration stream.
type session struct {
	s     *Server
	w     http.ResponseWriter
	rc    *http.ResponseController
	r     *http.Request
	lines *lineReader
	ttl   *time.Timer
	id    string
	lease uint64
}

func (s *Server) openSession(w http.ResponseWriter, r *http.Request) *session {
	rc := http.NewResponseController(w)
	// A stream's connection is never reused: close's read deadline may hit the server's own
	// read of the connection once the body has ended, which would spoil a next request on it.
	w.Header().Set("Connection", "close")
	// Interleave reading heartbeats with writing acks (HTTP/2 streams always may).
	_ = rc.EnableFullDuplex()
	// The stream outlives any read or write timeout of the http.Server.
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	return &session{
		s: s, w: w, rc: rc, r: r,
		lines: readLines(r.Body),
		ttl:   time.NewTimer(s.opts.HeartbeatTTL),
	}
}

// instance reads the stream's first line, the Instance; on failure it also says which status
// to answer with.
func (sess *session) instance() (Instance, int, error) {
	var inst Instance
	line, err := sess.next()
	if err != nil {
		return inst, http.StatusRequestTimeout, fmt.Errorf("reading instance: %w", err)
	}
	if err := json.Unmarshal(line, &inst); err != nil {
		return inst, http.StatusBadRequest, fmt.Errorf("decoding instance: %w", err)
	}
	if err := inst.validate(); err != nil {
		return inst, http.StatusBadRequest, fmt.Errorf("invalid instance: %w", err)
	}
	return inst, http.StatusOK, nil
}

// close stops the line reader: a read deadline in the past fails its blocked read.
func (sess *session) close() {
	sess.ttl.Stop()
	sess.lines.stop(func() error { return sess.rc.SetReadDeadline(time.Now()) })
}

// serve acknowledges each line and applies heartbeats until the stream ends.
func (sess *session) serve() error {
	for {
		snap, _ := sess.s.store.current()
		if err := sess.ack(snap.Version); err != nil {
			return fmt.Errorf("writing ack: %w", err)
		}
		line, err := sess.next()
		if err != nil {
			return err
		}
		var hb heartbeat
		if err := json.Unmarshal(line, &hb); err != nil {
			return fmt.Errorf("decoding heartbeat: %w", err)
		}
		current, changed := sess.s.store.heartbeat(sess.id, sess.lease, hb.Ready)
		if !current {
			return errReplaced
		}
		if changed {
			sess.s.log.Info("instance readiness changed", "id", sess.id, "ready", *hb.Ready)
		}
	}
}

func (sess *session) ack(version uint64) error {
	b, _ := json.Marshal(ack{Version: version})
	if _, err := sess.w.Write(append(b, '\n')); err != nil {
		return err
	}
	return sess.rc.Flush()
}

// next waits for the next line; the TTL restarts with each one.
func (sess *session) next() ([]byte, error) {
	select {
	case line := <-sess.lines.lines:
		sess.ttl.Reset(sess.s.opts.HeartbeatTTL)
		return line, nil
	case err := <-sess.lines.errs:
		return nil, err
	case <-sess.ttl.C:
		return nil, errTTLExpired
	case <-sess.s.done:
		return nil, errServerClosed
	case <-sess.r.Context().Done():
		return nil, sess.r.Context().Err()
	}
}
