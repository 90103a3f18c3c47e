// Package meshtest holds the HTTP fixtures that the data plane's tests share: a test logger,
// requests whose answers are read whole, loopback servers, and the hop benchmarks'
// measurement. It imports no mesh package, so the tests of any of them (proxy and controlplane
// included) can use it; production code never imports it.
package meshtest

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
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

// Serve serves h on a loopback port until the test ends and returns its URL.
func Serve(t testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
