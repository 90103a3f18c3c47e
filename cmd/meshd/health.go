package main

import (
	"net/http"
	"sync/atomic"

	"github.com/meshlab/meshlab/mesh/adminapi"
)

// healthHandler serves the readiness a kubelet probes, plaintext and without the run token (it
// tells nothing but ready or not): GET /healthz/ready answers 200 while ready() holds, else
// 503; GET /healthz/live 200 while the process serves. A sidecar's inbound port cannot answer a
// kubelet under STRICT mTLS, so its readiness has a port of its own, as Istio's does (15021).
func healthHandler(ready func() bool) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+adminapi.Ready, func(w http.ResponseWriter, _ *http.Request) {
		if !ready() {
			http.Error(w, "not ready\n", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	mux.HandleFunc("GET "+adminapi.Live, func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("live\n"))
	})
	return mux
}

// synced is a readiness that turns true once and stays: a proxy that has its first snapshot.
type synced struct{ atomic.Bool }

func (s *synced) ready() bool { return s.Load() }
