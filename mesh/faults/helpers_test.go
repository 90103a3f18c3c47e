package faults_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/meshlab/meshlab/mesh/faults"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// seen is what the upstream got.
type seen struct {
	Method string              `json:"method"`
	Path   string              `json:"path"`
	Query  string              `json:"query"`
	Header map[string][]string `json:"header"`
	Body   string              `json:"body"`
}

// upstream is a real server answering with what it got, as JSON; it counts requests.
type upstream struct {
	srv  *httptest.Server
	hits atomic.Int32
}

func newUpstream(t testing.TB) *upstream {
	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Upstream", "yes")
		json.NewEncoder(w).Encode(seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header, string(b)})
	}))
	t.Cleanup(u.srv.Close)
	return u
}

// front is an inbound proxy as a sidecar builds it, with mw in its chain, in front of up.
func front(t testing.TB, up *upstream, mw proxy.Middleware) *httptest.Server {
	target, _ := url.Parse(up.srv.URL)
	to := func(next http.RoundTripper) http.RoundTripper {
		return proxy.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			r.URL.Scheme, r.URL.Host = "http", target.Host
			return next.RoundTrip(r)
		})
	}
	h := proxy.NewHandler(proxy.Chain(proxy.NewTransport(), mw, to), nil)
	srv := httptest.NewServer(faults.Abortable(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.Serve(w, r, proxy.Route{Service: "svc"})
	})))
	t.Cleanup(srv.Close)
	return srv
}

func decode(t testing.TB, resp *http.Response) seen {
	t.Helper()
	defer resp.Body.Close()
	var s seen
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatalf("decoding the upstream's echo: %v", err)
	}
	return s
}

func ptr[T any](v T) *T { return &v }

// recorder is a minimal ResponseWriter keeping the status.
type recorder struct {
	h    http.Header
	code int
}

func newRecorder() *recorder                    { return &recorder{h: http.Header{}} }
func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(p []byte) (int, error) { r.WriteHeader(200); return len(p), nil }
func (r *recorder) WriteHeader(c int) {
	if r.code == 0 {
		r.code = c
	}
}

func mustRequest(t testing.TB) *http.Request {
	r, err := http.NewRequest("POST", "http://payment/payments", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.RemoteAddr = "127.0.0.1:1"
	return r
}
