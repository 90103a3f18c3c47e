package kube

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/meshlab/meshlab/mesh/adminapi"
)

// podTransport carries requests to one port inside one pod by port-forward, with the run token
// when it guards an admin API: what the harness and the fault realization get per proxy.
type podTransport struct {
	addr  string // pod:port, the requests' host
	token string // "" : none added
	rt    *http.Transport
}

// transport returns the (cached) transport to port inside pod.
func (m *kubeMesh) transport(pod string, port int, withToken bool) *podTransport {
	key := pod + ":" + strconv.Itoa(port)
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.transports[key]; ok {
		return t
	}
	ns := m.ns
	t := &podTransport{addr: key, rt: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return m.fw.Dial(ctx, ns, pod, port)
		},
		MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second, ResponseHeaderTimeout: adminapi.CallTimeout,
	}}
	if withToken {
		t.token = m.spec.Token
	}
	m.transports[key] = t
	return t
}

// RoundTrip implements http.RoundTripper.
func (t *podTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = "http", t.addr, t.addr
	if t.token != "" {
		r.Header.Set(adminapi.TokenHeader, t.token)
	}
	return t.rt.RoundTrip(r)
}

var _ http.RoundTripper = (*podTransport)(nil)
