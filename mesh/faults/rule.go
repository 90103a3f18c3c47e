package faults

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Targets of an HTTPRule.
const (
	TargetRequest  = "Request"
	TargetResponse = "Response"
)

// HTTPRule is one Chaos Mesh HTTPChaos spec (its matching and action fields), with Chaos Mesh's
// JSON names so a spec decodes into it as it is. Unset fields match anything.
type HTTPRule struct {
	// Name identifies the rule in Stats; "": "rule-<index>".
	Name   string `json:"name,omitempty"`
	Target string `json:"target"` // Request or Response
	// Port is the service port the rule applies to; 0: any.
	Port int32 `json:"port,omitempty"`
	// Path is a wildcard over the URI path: * any run of characters (/ too), ? one character.
	Path   *string `json:"path,omitempty"`
	Method *string `json:"method,omitempty"`
	// Code and ResponseHeaders match the answer: Response rules only.
	Code            *int32            `json:"code,omitempty"`
	RequestHeaders  map[string]string `json:"request_headers,omitempty"`
	ResponseHeaders map[string]string `json:"response_headers,omitempty"`

	Abort   *bool    `json:"abort,omitempty"`
	Delay   *string  `json:"delay,omitempty"` // a Go duration
	Replace *Replace `json:"replace,omitempty"`
	Patch   *Patch   `json:"patch,omitempty"`
}

// Replace overwrites parts of the request (Path keeps the query, "" is "/"; Method; Queries
// merged; Headers) or the answer (Code, Headers); Body (base64 in JSON) replaces either's body.
type Replace struct {
	Path    *string           `json:"path,omitempty"`
	Method  *string           `json:"method,omitempty"`
	Code    *int32            `json:"code,omitempty"`
	Body    []byte            `json:"body,omitempty"`
	Queries map[string]string `json:"queries,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
}

// Patch adds to the request or answer: Queries (request only) and Headers as [name, value]
// pairs, appended; Body a JSON merge patch (RFC 7396).
type Patch struct {
	Body    *PatchBody `json:"body,omitempty"`
	Queries [][]string `json:"queries,omitempty"`
	Headers [][]string `json:"headers,omitempty"`
}

// PatchBody is a body patch; Type is JSON, the only type Chaos Mesh knows.
type PatchBody struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// compiled is a validated rule with its parsed parts and its counter.
type compiled struct {
	HTTPRule
	delay time.Duration
	patch any // parsed Patch.Body.Value; nil: none
	hits  *counter
}

// compile validates r and parses its parts.
func compile(r HTTPRule) (*compiled, error) {
	c := &compiled{HTTPRule: r}
	var errs []error
	if r.Target != TargetRequest && r.Target != TargetResponse {
		errs = append(errs, fmt.Errorf("target %q: want Request or Response", r.Target))
	}
	if r.Port < 0 {
		errs = append(errs, fmt.Errorf("port %d is negative", r.Port))
	}
	if r.Delay != nil {
		d, err := time.ParseDuration(*r.Delay)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("delay %q: want a duration like \"100ms\"", *r.Delay))
		}
		c.delay = d
	}
	if p := r.Patch; p != nil && p.Body != nil {
		if p.Body.Type != "JSON" {
			errs = append(errs, fmt.Errorf("patch.body.type %q: want JSON", p.Body.Type))
		} else if err := json.Unmarshal([]byte(p.Body.Value), &c.patch); err != nil {
			errs = append(errs, fmt.Errorf("patch.body.value: want JSON: %w", err))
		}
	}
	for _, kv := range append(patchPairs(r.Patch, true), patchPairs(r.Patch, false)...) {
		if len(kv) != 2 {
			errs = append(errs, fmt.Errorf("patch pair %q: want [name, value]", kv))
		}
	}
	return c, errors.Join(errs...)
}

func patchPairs(p *Patch, queries bool) [][]string {
	switch {
	case p == nil:
		return nil
	case queries:
		return p.Queries
	}
	return p.Headers
}
