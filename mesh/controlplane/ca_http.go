package controlplane

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/identity"
)

// maxCSRBytes bounds a certificate request's body.
const maxCSRBytes = 64 << 10

// Handler serves the CA's API: POST /v1/certs (run token required) signs a
// identity.CertRequest; GET /v1/ca returns the roots, PEM.
func (ca *CA) Handler() http.Handler {
	mux := http.NewServeMux()
	ca.mount(mux)
	return mux
}

// mount registers the CA's routes on mux.
func (ca *CA) mount(mux *http.ServeMux) {
	mux.Handle("POST "+identity.CertsPath, adminapi.RequireToken(ca.opts.Token, http.HandlerFunc(ca.handleCerts)))
	mux.HandleFunc("GET "+identity.CAPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-pem-file")
		w.Write(ca.RootsPEM())
	})
}

// mountCA registers ca's routes on mux; a nil ca registers nothing (the server has no CA).
func mountCA(mux *http.ServeMux, ca *CA) {
	if ca != nil {
		ca.mount(mux)
	}
}

func (ca *CA) handleCerts(w http.ResponseWriter, r *http.Request) {
	var req identity.CertRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, maxCSRBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("certificate request: %w", err))
		return
	}
	var ttl time.Duration
	if req.TTL != "" {
		d, err := time.ParseDuration(req.TTL)
		if err != nil || d < 0 {
			writeError(w, http.StatusBadRequest, fmt.Errorf("certificate request: ttl %q", req.TTL))
			return
		}
		ttl = d
	}
	cert, err := ca.Sign([]byte(req.CSR), req.SpiffeID, ttl)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, identity.CertResponse{
		Certificate: string(identity.EncodeCertificates(cert)),
		Roots:       string(ca.RootsPEM()),
	})
}
