package proxy

import (
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/meshlab/meshlab/internal/meshtest"
)

// BenchmarkHop measures what one proxy hop adds to a request over real loopback sockets with
// keep-alive: each iteration sends one request directly to the upstream and one through the
// proxy, so drift hits both alike. It compares the Proxy (httputil.ReverseProxy over the chain)
// with a hand-rolled proxy over the same chain, and reports the added time per request (mean,
// p50, p99).
func BenchmarkHop(b *testing.B) {
	up := newBackend(b, "user-1", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, meshtest.UserJSON)
	})
	p := New(Options{Retries: 1, Logger: meshtest.Logger(b)})
	p.Update(snapshot(1, up.instance("user")))
	direct := meshtest.NewRequest(b, http.MethodGet, up.srv.URL+"/users/17", "", nil)
	hop := func(b *testing.B, h http.Handler) *http.Request {
		return meshtest.NewRequest(b, http.MethodGet, meshtest.Serve(b, h)+"/users/17", "", nil)
	}
	b.Run("reverseproxy", func(b *testing.B) {
		meshtest.MeasureHop(b, NewHTTPTransport(), direct, hop(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p.Serve(w, r, p.Route("user"))
		})))
	})
	b.Run("handrolled", func(b *testing.B) {
		h := &handRolled{rt: Chain(NewTransport(), Timeout(), Retry(DefaultMaxRetryBody), Pick(p.Table())), route: p.Route("user")}
		meshtest.MeasureHop(b, NewHTTPTransport(), direct, hop(b, h))
	})
}

// handRolled is the smallest proxy over the same chain, to weigh httputil.ReverseProxy's cost:
// no 1xx, trailers, upgrades, Connection-listed headers or flushing.
type handRolled struct {
	rt    http.RoundTripper
	route Route
}

var hopHeaders = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

func (h *handRolled) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	out := r.Clone(context.WithValue(r.Context(), callKey{}, newCall(r, h.route)))
	out.RequestURI, out.Close = "", false
	if r.ContentLength == 0 {
		out.Body = nil
	}
	for _, k := range hopHeaders {
		delete(out.Header, k)
	}
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		if prior := r.Header["X-Forwarded-For"]; len(prior) > 0 {
			ip = strings.Join(prior, ", ") + ", " + ip
		}
		out.Header["X-Forwarded-For"] = []string{ip}
	}
	resp, err := h.rt.RoundTrip(out)
	if err != nil {
		e := classify(err)
		WriteError(w, e.Status, e.Reason, e.Err.Error())
		return
	}
	defer resp.Body.Close()
	dst := w.Header()
	for k, vv := range resp.Header {
		if !slices.Contains(hopHeaders, k) {
			dst[k] = vv
		}
	}
	w.WriteHeader(resp.StatusCode)
	buf := bufferPool{}.Get()
	io.CopyBuffer(w, resp.Body, buf)
	bufferPool{}.Put(buf)
}

// BenchmarkTransport compares net/http's transport (as a proxy tunes it) with Transport
// sending the same GET, one at a time, to an upstream in the same process over loopback with
// keep-alive and a 1 KiB answer. The time per request includes the upstream's and the wait
// for it, so it moves with the scheduler more than with the transport (2026-11-30, 2 cores:
// 76–79 µs against 79–83; with -cpu 1, 40–55 against 34–50); the allocations are the
// transport's own (58 against 39–40 per request). What a proxy process spends per request at a
// fixed rate is BenchmarkSidecarHop's (clusters/local).
func BenchmarkTransport(b *testing.B) {
	body := strings.Repeat("x", 1024)
	up := newBackend(b, "user-1", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, body) })
	for _, c := range []struct {
		name string
		rt   http.RoundTripper
	}{{"net-http", NewHTTPTransport()}, {"proxy", NewTransport()}} {
		b.Run(c.name, func(b *testing.B) {
			req, _ := http.NewRequest(http.MethodGet, up.srv.URL+"/users/17", nil)
			buf := make([]byte, 4096)
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.rt.RoundTrip(req)
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := resp.Body.Read(buf); err != nil {
						break
					}
				}
				resp.Body.Close()
			}
			c.rt.(interface{ CloseIdleConnections() }).CloseIdleConnections()
		})
	}
}
