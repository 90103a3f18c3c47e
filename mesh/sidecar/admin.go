package sidecar

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// maxAdminBody bounds an admin request's body.
const maxAdminBody = 64 << 10

// configView is GET /v1/config: the effective config and the endpoint table.
type configView struct {
	Service  string `json:"service"`
	Instance string `json:"instance"`
	Version  string `json:"version"`
	App      string `json:"app"`
	Timeout  string `json:"timeout"`
	Retries  int    `json:"retries"`
	// PolicyVersion is the version of the policy in force (GET /v1/policy shows it whole).
	PolicyVersion uint64 `json:"policyVersion"`
	proxy.TableView
}

// newAdmin serves /healthz, GET /v1/config, GET /v1/policy and PUT /v1/app.
func (s *Sidecar) newAdmin() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+adminapi.Health, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET "+adminapi.Config, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.config())
	})
	mux.HandleFunc("GET "+adminapi.Policy, func(w http.ResponseWriter, _ *http.Request) {
		doc, v := s.Policy()
		writeJSON(w, http.StatusOK, controlplane.PolicyView{Version: v, Policy: doc})
	})
	mux.HandleFunc("PUT /v1/app", s.putApp)
	return mux
}

func (s *Sidecar) config() configView {
	_, pv := s.Policy()
	return configView{
		Service: s.cfg.Service, Instance: s.cfg.Instance, Version: s.cfg.Version,
		App: s.App(), Timeout: s.cfg.Timeout.String(), Retries: s.cfg.Retries,
		PolicyVersion: pv, TableView: s.out.Table().View(),
	}
}

// putApp takes {"addr":"host:port"} (the service process started) or {"addr":""} (stopped).
func (s *Sidecar) putApp(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Addr *string `json:"addr"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAdminBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.Addr == nil {
		proxy.WriteError(w, http.StatusBadRequest, "", `want {"addr":"host:port"} or {"addr":""}`)
		return
	}
	if err := checkAddr(*body.Addr); err != nil {
		proxy.WriteError(w, http.StatusBadRequest, "", fmt.Sprintf("addr: %v", err))
		return
	}
	s.SetApp(*body.Addr)
	writeJSON(w, http.StatusOK, map[string]string{"app": *body.Addr})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
