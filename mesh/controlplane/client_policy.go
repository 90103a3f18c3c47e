package controlplane

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/policy"
)

// PutPolicy publishes p as the mesh's policy and returns its PolicyVersion; sidecars and the
// gateway apply it within a second. token is the run token. A policy the control plane finds
// invalid returns a *PolicyError listing every problem, and the policy in force stays.
func (c *Client) PutPolicy(ctx context.Context, token string, p policy.MeshPolicy) (uint64, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return 0, fmt.Errorf("encoding policy: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.base+pathPolicy, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(adminapi.TokenHeader, token)
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("putting policy: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusBadRequest {
		var pp policyProblems
		if err := json.NewDecoder(resp.Body).Decode(&pp); err != nil {
			return 0, fmt.Errorf("control plane: %s", resp.Status)
		}
		return 0, &PolicyError{Problems: pp.Problems}
	}
	if err := checkStatus(resp); err != nil {
		return 0, err
	}
	var v PolicyView
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return 0, fmt.Errorf("decoding policy answer: %w", err)
	}
	return v.Version, nil
}

// Policy fetches the control plane's current policy and its version (0, nil: none).
func (c *Client) Policy(ctx context.Context) (PolicyView, error) {
	return getJSON[PolicyView](ctx, c, c.base+pathPolicy, "policy")
}

var _ error = (*PolicyError)(nil)
