package services_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/services"
)

// wait bounds what a test waits for; it is never an assertion of speed.
const wait = 10 * time.Second

const testSeed = 42

var client = &http.Client{Timeout: wait}

// serve starts an instance of cfg on a loopback port (Instance "<service>-1" and Seed testSeed
// unless set) and returns it with its base URL.
func serve(t *testing.T, cfg services.Config) (*services.Service, string) {
	t.Helper()
	if cfg.Instance == "" {
		cfg.Instance = cfg.Service + "-1"
	}
	if cfg.Seed == 0 {
		cfg.Seed = testSeed
	}
	cfg.Logger = meshtest.Logger(t).With("instance", cfg.Instance)
	svc, err := services.New(cfg)
	require.NoError(t, err)
	ts := httptest.NewServer(svc)
	t.Cleanup(ts.Close)
	return svc, ts.URL
}

// answer is a response, read whole.
type answer struct {
	status int
	header http.Header
	raw    []byte
}

// decode unmarshals the answer's JSON body into v.
func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(a.raw, v), "body %s", a.raw)
}

// object is the answer's body as a JSON object.
func (a answer) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	a.decode(t, &m)
	return m
}

// do sends one request (body encoded as JSON unless it is []byte) and reads the answer.
func do(t *testing.T, method, url string, body any, hdr map[string]string) answer {
	t.Helper()
	a, err := send(method, url, body, hdr)
	require.NoError(t, err)
	return a
}

// send is do for other goroutines than the test's: it returns its error.
func send(method, url string, body any, hdr map[string]string) (answer, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(body)
		if err != nil {
			return answer{}, err
		}
		rd = bytes.NewReader(raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return answer{}, err
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, raw: raw}, err
}

// stat reads one counter of an instance's /internal/stats.
func stat(t *testing.T, base, name string) int {
	t.Helper()
	a := do(t, http.MethodGet, base+"/internal/stats", nil, nil)
	require.Equal(t, http.StatusOK, a.status)
	v, ok := a.object(t)[name].(float64)
	require.True(t, ok, "stats %s has no number %q", a.raw, name)
	return int(v)
}

// sidecar stands in for an instance's sidecar outbound listener: a reverse proxy sending each
// request to the handler its Host names, recording what it forwarded.
type sidecar struct {
	url  string
	mu   sync.Mutex
	by   map[string]http.Handler // Host → handler
	seen []*http.Request         // clones, bodies dropped
}

func startSidecar(t *testing.T) *sidecar {
	sc := &sidecar{by: map[string]http.Handler{}}
	ts := httptest.NewServer(http.HandlerFunc(sc.serve))
	t.Cleanup(ts.Close)
	sc.url = ts.URL
	return sc
}

func (sc *sidecar) serve(w http.ResponseWriter, r *http.Request) {
	sc.mu.Lock()
	h := sc.by[r.Host]
	sc.seen = append(sc.seen, r.Clone(context.Background()))
	sc.mu.Unlock()
	if h == nil {
		http.Error(w, `{"error":"no route to host `+r.Host+`"}`, http.StatusBadGateway)
		return
	}
	h.ServeHTTP(w, r)
}

// route sends requests for host to the server at base.
func (sc *sidecar) route(t *testing.T, host, base string) {
	sc.handle(host, proxyTo(t, base))
}

// proxyTo is a reverse proxy to the server at base.
func proxyTo(t *testing.T, base string) http.Handler {
	u, err := url.Parse(base)
	require.NoError(t, err)
	return &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(u) }}
}

// handle serves requests for host with h.
func (sc *sidecar) handle(host string, h http.Handler) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.by[host] = h
}

// requests returns what the sidecar received so far.
func (sc *sidecar) requests() []*http.Request {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return append([]*http.Request(nil), sc.seen...)
}

// abort drops the connection without an answer, as an HTTP abort fault does.
var abort = http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })

// mesh is the four services, the order service calling the others through a sidecar.
type mesh struct {
	user, product, payment, order string // base URLs
	orderSvc                      *services.Service
	sidecar                       *sidecar
}

func startMesh(t *testing.T) *mesh {
	t.Helper()
	m := &mesh{sidecar: startSidecar(t)}
	_, m.user = serve(t, services.Config{Service: "user"})
	_, m.product = serve(t, services.Config{Service: "product"})
	_, m.payment = serve(t, services.Config{Service: "payment"})
	m.orderSvc, m.order = serve(t, services.Config{Service: "order", Outbound: m.sidecar.url})
	m.sidecar.route(t, "user", m.user)
	m.sidecar.route(t, "product", m.product)
	m.sidecar.route(t, "payment", m.payment)
	return m
}

// stock reads product id's stock from the product instance.
func (m *mesh) stock(t *testing.T, id int) int {
	t.Helper()
	a := do(t, http.MethodGet, fmt.Sprintf("%s/products/%d", m.product, id), nil, nil)
	require.Equal(t, http.StatusOK, a.status)
	var p struct{ Stock int }
	a.decode(t, &p)
	return p.Stock
}

// price reads product id's price.
func (m *mesh) price(t *testing.T, id int) int {
	t.Helper()
	var p struct{ PriceCents int }
	do(t, http.MethodGet, fmt.Sprintf("%s/products/%d", m.product, id), nil, nil).decode(t, &p)
	return p.PriceCents
}

func itoa(n int) string { return fmt.Sprint(n) }
