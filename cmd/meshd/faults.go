package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/faults"
	"github.com/meshlab/meshlab/mesh/netfault"
	"github.com/meshlab/meshlab/mesh/proxy"
	"github.com/meshlab/meshlab/mesh/telemetry"
)

// servicePort is the port a service's Deployment declares on kind; HTTPChaos rules name it, so
// the same object means the same fault on every backend.
const servicePort = 8080

// faultPlane is what a sidecar or the gateway carries to realize faults: a network-fault engine
// on its listeners and dials (egress from its own address), and an HTTPChaos engine in its
// filter chain; both switched through the admin endpoint.
type faultPlane struct {
	net  *netfault.Engine
	http *faults.Engine
	ip   string
}

func newFaultPlane(log *slog.Logger, instance, ip string) *faultPlane {
	h := fnv.New64a()
	h.Write([]byte(instance))
	return &faultPlane{
		net:  netfault.NewEngine(log, h.Sum64()),
		http: &faults.Engine{Port: servicePort, Logger: log},
		ip:   ip,
	}
}

// transport is the outbound transport: it dials from the workload's own address (so peers and
// fault rules know who is talking) through the network-fault engine.
func (fp *faultPlane) transport() *proxy.Transport {
	t := proxy.NewTransport()
	d := &net.Dialer{Timeout: proxy.DialTimeout, KeepAlive: 30 * time.Second}
	if fp.ip != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(fp.ip)}
	}
	t.DialContext = proxy.DialFunc(fp.net.DialContext(d.DialContext))
	return t
}

// listener wraps a mesh-facing listener in the network-fault engine.
func (fp *faultPlane) listener(l listener) listener {
	l.ln = fp.net.Listener(l.ln)
	return l
}

// admin serves /v1/faults (GET), /v1/faults/net and /v1/faults/http (PUT {"rules": [...]})
// in front of the role's own admin handler.
func (fp *faultPlane) admin(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", next)
	mux.Handle("GET "+adminapi.Faults, adminapi.RequireToken(token(), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"net":  map[string]any{"rules": fp.net.Rules(), "stats": fp.net.Stats()},
			"http": map[string]any{"rules": fp.http.Rules(), "stats": fp.http.Stats()},
		})
	})))
	mux.Handle("PUT "+adminapi.NetFaults, adminapi.RequireToken(token(), putRules(fp.net.Set)))
	mux.Handle("PUT "+adminapi.HTTPFaults, adminapi.RequireToken(token(), putRules(fp.http.Set)))
	return mux
}

// putRules decodes {"rules": [...]} strictly and hands the rules to set (an atomic, idempotent
// replace).
func putRules[R any](set func([]R) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Rules []R `json:"rules"`
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("decoding rules: %v", err)})
			return
		}
		if err := set(body.Rules); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"rules": len(body.Rules)})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// withMetrics serves met's metrics at GET /metrics and Go's profiles at /debug/pprof/ (both
// token-guarded, for `go tool pprof` against a sidecar under load) beside the admin handler.
func withMetrics(met *telemetry.Metrics, admin http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+adminapi.Metrics, adminapi.RequireToken(token(), met.Handler()))
	mux.Handle("/debug/pprof/", adminapi.RequireToken(token(), http.HandlerFunc(pprof.Index)))
	mux.Handle("/debug/pprof/profile", adminapi.RequireToken(token(), http.HandlerFunc(pprof.Profile)))
	mux.Handle("/", admin)
	return mux
}
