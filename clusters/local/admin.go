package local

import (
	"net/http"
	"time"

	"github.com/meshlab/meshlab/mesh/adminapi"
)

// loopback carries every admin request of the harness's processes: a small keep-alive pool,
// since one run talks to a few dozen admin listeners on loopback.
var loopback = &http.Transport{MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second, ResponseHeaderTimeout: adminapi.CallTimeout}

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

var _ http.RoundTripper = adminTransport{}
