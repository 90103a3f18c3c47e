package gateway

import (
	"encoding/json"
	"net/http"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// configView is GET /v1/config: the effective config, the routes and the endpoint table.
type configView struct {
	Timeout string `json:"timeout"`
	Retries int    `json:"retries"`
	// PolicyVersion is the version of the policy in force (GET /v1/policy shows it whole).
	PolicyVersion uint64      `json:"policyVersion"`
	Routes        []routeView `json:"routes"`
	proxy.TableView
}

type routeView struct {
	Methods []string `json:"methods"`
	Path    string   `json:"path"`
	Service string   `json:"service"`
}

// Admin returns the token-guarded admin handler: GET /healthz, GET /v1/config and GET
// /v1/policy ({"version": N, "policy": {...}}: the policy document in force).
func (g *Gateway) Admin() http.Handler { return g.admin }

func (g *Gateway) newAdmin() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+adminapi.Health, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET "+adminapi.Config, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, g.config())
	})
	mux.HandleFunc("GET "+adminapi.Policy, func(w http.ResponseWriter, _ *http.Request) {
		doc, v := g.proxy.Policy()
		writeJSON(w, controlplane.PolicyView{Version: v, Policy: doc})
	})
	return mux
}

func (g *Gateway) config() configView {
	_, pv := g.proxy.Policy()
	v := configView{Timeout: g.cfg.Timeout.String(), Retries: g.cfg.Retries, PolicyVersion: pv, TableView: g.proxy.Table().View()}
	for _, rt := range routes {
		v.Routes = append(v.Routes, routeView{Methods: rt.methods, Path: rt.pattern, Service: rt.service})
	}
	return v
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
