package sidecar

import (
	"encoding/json"
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
	AppReady bool   `json:"appReady"`
	Timeout  string `json:"timeout"`
	Retries  int    `json:"retries"`
	// PolicyVersion is the version of the policy in force (GET /v1/policy shows it whole).
	PolicyVersion uint64 `json:"policyVersion"`
	proxy.TableView
}

// newAdmin serves /healthz, GET /v1/config and GET /v1/policy.
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
	return mux
}

func (s *Sidecar) config() configView {
	_, pv := s.Policy()
	return configView{
		Service: s.cfg.Service, Instance: s.cfg.Instance, Version: s.cfg.Version,
		App: s.App(), AppReady: s.AppReady(), Timeout: s.cfg.Timeout.String(), Retries: s.cfg.Retries,
		PolicyVersion: pv, TableView: s.out.Table().View(),
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
