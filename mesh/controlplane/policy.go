package controlplane

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/meshlab/meshlab/mesh/policy"
)

// maxPolicyBody bounds a PUT /v1/policy body.
const maxPolicyBody = 4 << 20

// PolicyView is GET /v1/policy, on the control plane, the sidecars and the gateway: the policy
// document in force and its version (0 and null: none).
type PolicyView struct {
	Version uint64             `json:"version"`
	Policy  *policy.MeshPolicy `json:"policy"`
}

// policyProblems is the 400 answer to an invalid policy.
type policyProblems struct {
	Error    string   `json:"error"`
	Problems []string `json:"problems"`
}

// errClosing refuses a policy while the server closes: it would never reach a watcher.
var errClosing = errors.New("control plane is closing")

// setPolicy publishes p as a new snapshot version, which becomes its PolicyVersion.
func (s *store) setPolicy(p *policy.MeshPolicy) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.frozen {
		return 0, errClosing
	}
	s.snap.Policy, s.snap.PolicyVersion = p, s.snap.Version+1
	s.commitLocked()
	return s.snap.PolicyVersion, nil
}

// handlePutPolicy takes a MeshPolicy document (strict JSON), validates it, and publishes it;
// an invalid one is answered 400 with every problem and changes nothing.
func (s *Server) handlePutPolicy(w http.ResponseWriter, r *http.Request) {
	var p policy.MeshPolicy
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPolicyBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		writeJSON(w, http.StatusBadRequest, policyProblems{Error: "invalid policy", Problems: []string{err.Error()}})
		return
	}
	v, err := s.SetPolicy(p)
	var pe *PolicyError
	switch {
	case errors.As(err, &pe):
		writeJSON(w, http.StatusBadRequest, policyProblems{Error: "invalid policy", Problems: pe.Problems})
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, err)
	default:
		writeJSON(w, http.StatusOK, PolicyView{Version: v, Policy: &p})
	}
}

// SetPolicy validates p and publishes it to every watcher as a new snapshot version, which is
// also its PolicyVersion. An invalid p returns a *PolicyError and changes nothing.
func (s *Server) SetPolicy(p policy.MeshPolicy) (uint64, error) {
	if errs := p.Validate(); len(errs) > 0 {
		pe := &PolicyError{}
		for _, e := range errs {
			pe.Problems = append(pe.Problems, e.Error())
		}
		s.log.Warn("policy refused", "problems", pe.Problems)
		return 0, pe
	}
	v, err := s.store.setPolicy(&p)
	if err != nil {
		return 0, err
	}
	s.log.Info("policy published", "policyVersion", v, "name", p.Metadata.Name)
	return v, nil
}

func (s *Server) handleGetPolicy(w http.ResponseWriter, _ *http.Request) {
	snap, _ := s.store.current()
	writeJSON(w, http.StatusOK, PolicyView{Version: snap.PolicyVersion, Policy: snap.Policy})
}

// PolicyError is a policy the control plane refused as invalid: every problem with its path.
type PolicyError struct {
	Problems []string
}

func (e *PolicyError) Error() string {
	return fmt.Sprintf("invalid policy: %d problem(s): %v", len(e.Problems), e.Problems)
}
