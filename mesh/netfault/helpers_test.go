package netfault

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/stretchr/testify/require"
)

func newTestEngine() *Engine { return NewEngine(slog.New(slog.DiscardHandler), 1) }

func host(ip string) []netip.Prefix {
	return []netip.Prefix{netip.PrefixFrom(netip.MustParseAddr(ip), 32)}
}

// listen listens on ip:0, through e unless e is nil.
func listen(t *testing.T, ip string, e *Engine) net.Listener {
	t.Helper()
	ln := meshtest.Listen(t, ip+":0")
	if e != nil {
		return e.Listener(ln)
	}
	return ln
}

// echoServer echoes every connection on ip, shaped by e, and returns its address.
func echoServer(t *testing.T, ip string, e *Engine) string {
	ln := listen(t, ip, e)
	meshtest.ServeConns(t, ln, func(c net.Conn) { _, _ = io.Copy(c, c) })
	return ln.Addr().String()
}

// dialFrom dials from the local IP ip.
func dialFrom(ip string) DialFunc {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return d.DialContext
}

// httpServer serves "ok" on ip through e and counts the requests it handled.
func httpServer(t *testing.T, ip string, e *Engine) (string, *atomic.Int64) {
	ln := listen(t, ip, e)
	hits := &atomic.Int64{}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, "ok")
	}), ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String() + "/", hits
}

// httpClient sends from the local IP ip, through e unless e is nil.
func httpClient(t *testing.T, ip string, e *Engine, timeout time.Duration) *http.Client {
	dial := dialFrom(ip)
	if e != nil {
		dial = e.DialContext(dial)
	}
	tr := &http.Transport{DialContext: dial, MaxIdleConnsPerHost: 4}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: timeout}
}

// get fetches url and requires a 200 with body "ok".
func get(t *testing.T, c *http.Client, url string) time.Duration {
	t.Helper()
	start := time.Now()
	resp, err := c.Get(url)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, "ok", string(body))
	return time.Since(start)
}

// roundTrips writes one byte at a time on c and times each echo.
func roundTrips(t *testing.T, c net.Conn, n int) []time.Duration {
	t.Helper()
	out := make([]time.Duration, 0, n)
	b := []byte{0}
	for i := range n {
		b[0] = byte(i)
		start := time.Now()
		_, err := c.Write(b)
		require.NoError(t, err)
		_, err = io.ReadFull(c, b)
		require.NoError(t, err)
		require.Equal(t, byte(i), b[0])
		out = append(out, time.Since(start))
	}
	return out
}

func mean(ds []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

func quantile(ds []time.Duration, q float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(q*float64(len(s)-1))]
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
