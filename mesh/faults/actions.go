package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/meshlab/meshlab/internal/sleep"
)

// errorsIsAbort reports whether err asks for the connection to be aborted.
func errorsIsAbort(err error) bool { return errors.Is(err, ErrAbortConnection) }

// applyRequest runs the rule's actions on r: abort, delay, replace, patch.
func (c *compiled) applyRequest(r *http.Request) error {
	if err := c.abortOrDelay(r.Context()); err != nil {
		return err
	}
	if rp := c.Replace; rp != nil {
		replaceRequest(r, rp)
	}
	if p := c.Patch; p != nil {
		q := r.URL.Query()
		for _, kv := range p.Queries {
			q.Add(kv[0], kv[1])
		}
		if len(p.Queries) > 0 {
			r.URL.RawQuery = q.Encode()
		}
		return c.patchMessage(r.Header, r.Body, func(b []byte) { setRequestBody(r, b) })
	}
	return nil
}

// applyResponse runs the rule's actions on resp, the answer to r.
func (c *compiled) applyResponse(r *http.Request, resp *http.Response) error {
	if err := c.abortOrDelay(r.Context()); err != nil {
		return err
	}
	if rp := c.Replace; rp != nil {
		if rp.Code != nil {
			resp.StatusCode = int(*rp.Code)
			resp.Status = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		}
		if rp.Body != nil {
			resp.Body.Close()
			setResponseBody(resp, rp.Body)
		}
		for k, v := range rp.Headers {
			resp.Header.Set(k, v)
		}
	}
	if c.Patch != nil {
		return c.patchMessage(resp.Header, resp.Body, func(b []byte) { setResponseBody(resp, b) })
	}
	return nil
}

// abortOrDelay runs the actions that come before any change to a message: an abort, then the
// delay (cut short, with ctx's error, when ctx ends).
func (c *compiled) abortOrDelay(ctx context.Context) error {
	if c.Abort != nil && *c.Abort {
		return ErrAbortConnection
	}
	if c.delay > 0 && !sleep.For(ctx, c.delay) {
		return ctx.Err()
	}
	return nil
}

// patchMessage applies the Patch's headers to h and, when it patches the body, merges it into
// body (closed) and hands the result to setBody.
func (c *compiled) patchMessage(h http.Header, body io.ReadCloser, setBody func([]byte)) error {
	patchHeaders(h, c.Patch.Headers)
	if c.patch == nil {
		return nil
	}
	b, err := patchBody(body, c.patch)
	if err != nil {
		return err
	}
	setBody(b)
	return nil
}

// replaceRequest applies a Replace to r.
func replaceRequest(r *http.Request, rp *Replace) {
	if rp.Path != nil {
		r.URL.Path, r.URL.RawPath = *rp.Path, ""
		if r.URL.Path == "" {
			r.URL.Path = "/"
		}
	}
	if rp.Method != nil {
		r.Method = *rp.Method
	}
	if rp.Body != nil {
		setRequestBody(r, rp.Body)
	}
	if len(rp.Queries) > 0 {
		q := r.URL.Query()
		for k, v := range rp.Queries {
			q.Set(k, v)
		}
		r.URL.RawQuery = q.Encode()
	}
	for k, v := range rp.Headers {
		if http.CanonicalHeaderKey(k) == "Host" {
			r.Host = v
		}
		r.Header.Set(k, v)
	}
}

// patchHeaders appends pairs to h; a name repeated in pairs keeps only its last value, as in
// Chaos Mesh.
func patchHeaders(h http.Header, pairs [][]string) {
	last := map[string]string{}
	var order []string
	for _, kv := range pairs {
		k := http.CanonicalHeaderKey(kv[0])
		if _, seen := last[k]; !seen {
			order = append(order, k)
		}
		last[k] = kv[1]
	}
	for _, k := range order {
		h.Add(k, last[k])
	}
}

// patchBody reads body (closing it) and merges patch into it (RFC 7396). A body that is not
// JSON (an empty one included) aborts, as in Chaos Mesh.
func patchBody(body io.ReadCloser, patch any) ([]byte, error) {
	var raw []byte
	if body != nil {
		defer body.Close()
		var err error
		if raw, err = io.ReadAll(body); err != nil {
			return nil, err
		}
	}
	var doc any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("patching a body that is not JSON: %w: %w", err, ErrAbortConnection)
	}
	return json.Marshal(mergePatch(doc, patch))
}

// mergePatch applies an RFC 7396 merge patch to target.
func mergePatch(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = mergePatch(tm[k], v)
	}
	return tm
}

func setRequestBody(r *http.Request, b []byte) {
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	r.ContentLength, r.TransferEncoding = int64(len(b)), nil
	r.Header.Del("Content-Length")
}

func setResponseBody(resp *http.Response, b []byte) {
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength, resp.TransferEncoding, resp.Uncompressed = int64(len(b)), nil, false
	resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
}
