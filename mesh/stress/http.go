package stress

import (
	"encoding/json"
	"net/http"
)

// Handler serves a Stressor on one path: GET reports its Status, PUT applies the JSON Spec in
// the body (400 with {"error": …} when it is malformed or invalid) and DELETE stops it. Every
// success answers with the Status after the change.
func Handler(s *Stressor) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
		case http.MethodPut:
			if err := apply(s, r); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
		case http.MethodDelete:
			s.Stop()
		default:
			w.Header().Set("Allow", "GET, PUT, DELETE")
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
			return
		}
		writeJSON(w, http.StatusOK, s.Status())
	})
}

// maxBody bounds a PUT body; a Spec is a few hundred bytes.
const maxBody = 64 << 10

func apply(s *Stressor, r *http.Request) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	dec.DisallowUnknownFields()
	var spec Spec
	if err := dec.Decode(&spec); err != nil {
		return err
	}
	return s.Apply(spec)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
