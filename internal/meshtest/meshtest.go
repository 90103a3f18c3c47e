// Package meshtest holds the HTTP and TCP fixtures that the data plane's tests share: a test
// logger, requests whose answers are read whole, loopback servers and listeners, a TLS client,
// a paced request loop, and the hop benchmarks' measurement. It imports no mesh package, so the
// tests of any of them (proxy and controlplane included) can use it; production code never
// imports it.
package meshtest

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Wait bounds how long a test waits for something that should happen much sooner.
const Wait = 10 * time.Second

// Logger is a test's logger: silent unless the test runs verbose (go test -v), then every
// record down to debug on stderr, with the test's name.
func Logger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.DiscardHandler)
	}
	h := slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})
	return slog.New(h).With("test", t.Name())
}

// Answer is what a test client got, its body read whole.
type Answer struct {
	Code   int
	Body   string
	Header http.Header
}

// Decode unmarshals the answer's JSON body into v.
func (a Answer) Decode(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal([]byte(a.Body), v), "body %s", a.Body)
}

// Client is the client of Do and Get.
var Client = &http.Client{Timeout: Wait}

// NewRequest is a request with body ("" for none) and the headers of hdr.
func NewRequest(t testing.TB, method, url, body string, hdr http.Header) *http.Request {
	t.Helper()
	req, err := newRequest(method, url, body, hdr)
	require.NoError(t, err)
	return req
}

func newRequest(method, url, body string, hdr http.Header) (*http.Request, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return nil, err
	}
	for k, vv := range hdr {
		for _, v := range vv {
			req.Header.Add(k, v)
		}
	}
	return req, nil
}

// Send sends req with c and reads the whole answer. It returns its error rather than failing
// the test: for requests that may fail, and for goroutines other than the test's.
func Send(c *http.Client, req *http.Request) (Answer, error) {
	resp, err := c.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return Answer{Code: resp.StatusCode, Body: string(b), Header: resp.Header}, err
}

// Fetch is Send of a request without a body.
func Fetch(c *http.Client, method, url string) (Answer, error) {
	req, err := newRequest(method, url, "", nil)
	if err != nil {
		return Answer{}, err
	}
	return Send(c, req)
}

// DoRequest sends req with Client and reads the whole answer; an error fails the test.
func DoRequest(t testing.TB, req *http.Request) Answer {
	t.Helper()
	a, err := Send(Client, req)
	require.NoError(t, err)
	return a
}

// Do sends one request with body ("" for none) and hdr, and reads the whole answer; an error
// fails the test.
func Do(t testing.TB, method, url, body string, hdr http.Header) Answer {
	t.Helper()
	return DoRequest(t, NewRequest(t, method, url, body, hdr))
}

// Get is Do of a GET.
func Get(t testing.TB, url string) Answer {
	t.Helper()
	return Do(t, http.MethodGet, url, "", nil)
}

// TLSClient is a client whose connections use cfg (HTTP/1.1); keepAlive false opens a new
// connection, with a handshake of its own, for each request.
func TLSClient(cfg *tls.Config, keepAlive bool) *http.Client {
	return &http.Client{Timeout: Wait, Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: !keepAlive}}
}

// Serve serves h on a loopback port until the test ends and returns its URL.
func Serve(t testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// Listen listens on addr (host:port, port 0 for any) until the test ends.
func Listen(t testing.TB, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	return ln
}

// ServeOn serves hs on ln until the test ends and returns ln's address. Unless hs has an
// ErrorLog, the server's own complaints (the failed handshakes and cut connections these tests
// provoke) are discarded.
func ServeOn(t testing.TB, ln net.Listener, hs *http.Server) string {
	if hs.ErrorLog == nil {
		hs.ErrorLog = log.New(io.Discard, "", 0)
	}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String()
}

// ServeConns accepts connections on ln until the test ends, when it closes ln: each goes to
// handle in a goroutine of its own and is closed when handle returns.
func ServeConns(t testing.TB, ln net.Listener, handle func(net.Conn)) {
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
}

// Paced runs a loop for each of tries, all at once, that calls its try rps times a second, one
// call after another, for d; it returns how many calls they made and how many failed, and logs
// each failure.
func Paced(t testing.TB, d time.Duration, rps int, tries ...func() error) (sent, failed int64) {
	var s, f atomic.Int64
	var wg sync.WaitGroup
	for _, try := range tries {
		wg.Go(func() {
			tick := time.NewTicker(time.Second / time.Duration(rps))
			defer tick.Stop()
			for end := time.Now().Add(d); time.Now().Before(end); <-tick.C {
				s.Add(1)
				if err := try(); err != nil {
					f.Add(1)
					t.Logf("request failed: %v", err)
				}
			}
		})
	}
	wg.Wait()
	return s.Load(), f.Load()
}
