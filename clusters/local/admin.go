package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/meshlab/meshlab/mesh/adminapi"
)

// adminTimeout bounds one admin call when the caller's context sets no shorter deadline.
const adminTimeout = 5 * time.Second

// loopback carries every admin request of the harness's processes: a small keep-alive pool,
// since one run talks to a few dozen admin listeners on loopback.
var loopback = &http.Transport{MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second, ResponseHeaderTimeout: adminTimeout}

// adminTransport sends a request to one process's admin listener with the run token: the
// request's path and query are kept, its scheme and host replaced. It is what the harness gets
// per proxy (clusters.MetricsTarget.Admin) and what the backend's own admin calls go through.
type adminTransport struct {
	addr  string // host:port of the admin listener
	token string
}

// RoundTrip implements http.RoundTripper.
func (a adminTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = "http", a.addr, a.addr
	r.Header.Set(adminapi.TokenHeader, a.token)
	return loopback.RoundTrip(r)
}

// adminOf is the admin transport of a process's current incarnation; ok is false while it is down.
func (m *localMesh) adminOf(p *process) (adminTransport, bool) {
	a := p.Addrs()
	if a == nil {
		return adminTransport{}, false
	}
	return adminTransport{addr: a["admin"], token: m.spec.Token}, true
}

// call sends one admin call with body as JSON (nil: none) and decodes a JSON answer into
// out (nil: discarded); an answer of 300 or more is an error carrying its first bytes.
func (at adminTransport) call(ctx context.Context, method, path string, body, out any) error {
	ctx, cancel := context.WithTimeout(ctx, adminTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://admin"+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := at.RoundTrip(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(msg))
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return nil
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(out)
}

var _ http.RoundTripper = adminTransport{}
