package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/internal/proctest"
	"github.com/meshlab/meshlab/mesh/netfault"
)

// connServer is an upstream that counts the connections it accepted and those now closed.
type connServer struct {
	*httptest.Server
	opened, closed atomic.Int64
}

func newConnServer(t *testing.T, h http.HandlerFunc) *connServer {
	t.Helper()
	s := &connServer{}
	s.Server = httptest.NewUnstartedServer(h)
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			s.opened.Add(1)
		case http.StateClosed, http.StateHijacked:
			s.closed.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// rawServer answers each request on a loopback port by writing what answer says straight to
// the connection, then closing it; it returns the base URL.
func rawServer(t *testing.T, answer func(req *http.Request) string) string {
	t.Helper()
	ln := meshtest.Listen(t, "127.0.0.1:0")
	meshtest.ServeConns(t, ln, func(c net.Conn) {
		if req, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
			io.WriteString(c, answer(req))
		}
	})
	return "http://" + ln.Addr().String()
}

// send makes one request through tr and reads its whole answer.
func send(t *testing.T, tr http.RoundTripper, method, url string, body string) (int, string, error) {
	t.Helper()
	resp, err := tr.RoundTrip(meshtest.NewRequest(t, method, url, body, nil))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func newTestTransport(t *testing.T) *Transport {
	tr := NewTransport()
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// TestTransportKeepsConnectionsAlive: requests one after another share one connection, and
// answers without a body (HEAD, 204, 304) free it as well as those with one.
func TestTransportKeepsConnectionsAlive(t *testing.T) {
	t.Parallel()
	srv := newConnServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/same":
			w.WriteHeader(http.StatusNotModified)
		case "/chunked":
			io.WriteString(w, "a")
			http.NewResponseController(w).Flush()
			io.WriteString(w, "b")
		default:
			io.WriteString(w, strings.Repeat("x", 1024))
		}
	})
	tr := newTestTransport(t)
	for i := range 50 {
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/", strings.Repeat("x", 1024)}, {"HEAD", "/", ""}, {"GET", "/empty", ""},
			{"GET", "/same", ""}, {"GET", "/chunked", "ab"}, {"POST", "/", strings.Repeat("x", 1024)},
		} {
			body := ""
			if c.method == "POST" {
				body = "order"
			}
			_, got, err := send(t, tr, c.method, srv.URL+c.path, body)
			require.NoError(t, err, "%d: %s %s", i, c.method, c.path)
			require.Equal(t, c.body, got, "%d: %s %s", i, c.method, c.path)
		}
	}
	assert.EqualValues(t, 1, srv.opened.Load(), "300 requests in turn on one connection")

	// An answer without a body frees its connection at once, before anyone reads or closes it.
	for _, c := range []struct{ method, path string }{{"HEAD", "/"}, {"GET", "/empty"}, {"GET", "/same"}} {
		resp, err := tr.RoundTrip(meshtest.NewRequest(t, c.method, srv.URL+c.path, "", nil))
		require.NoError(t, err)
		tr.mu.Lock()
		idle := tr.nIdle
		tr.mu.Unlock()
		assert.Equal(t, 1, idle, "%s %s: pooled again with its answer", c.method, c.path)
		resp.Body.Close()
	}
}

// TestTransportPooledConnectionsHoldNoBuffers: the idle connections a burst leaves behind
// hold no read or write buffer (they are lent only while a request is in flight), and carry
// the next requests as well as before.
func TestTransportPooledConnectionsHoldNoBuffers(t *testing.T) {
	t.Parallel()
	const n = 50
	var arrived atomic.Int32
	all := make(chan struct{})
	srv := newConnServer(t, func(w http.ResponseWriter, r *http.Request) {
		if arrived.Add(1) == n {
			close(all)
		}
		select { // the first n wait for one another: n connections at once
		case <-all:
		case <-time.After(10 * time.Second):
		}
		io.WriteString(w, strings.Repeat("x", 1024))
	})
	tr := newTestTransport(t)
	check := func(what string) {
		t.Helper()
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				_, got, err := send(t, tr, "GET", srv.URL+"/", "")
				assert.NoError(t, err, what)
				assert.Len(t, got, 1024, what)
			})
		}
		wg.Wait()
		tr.mu.Lock()
		defer tr.mu.Unlock()
		idle := tr.idle[strings.TrimPrefix(srv.URL, "http://")]
		require.Len(t, idle, n, what)
		for _, pc := range idle {
			assert.True(t, pc.br == nil, "%s: a pooled connection holds no read buffer", what)
			assert.True(t, pc.bw == nil, "%s: nor a write buffer", what)
		}
	}
	check("burst")
	check("again")
	assert.EqualValues(t, n, srv.opened.Load(), "the pooled connections carried the second burst")
}

// TestTransportSendsRequestsWhole: headers, the Host, bodies of each kind and trailers reach
// the upstream as they were sent; bodies Transport does not write itself (over MaxDirectBody,
// unknown length) go through net/http's transport and arrive whole too.
func TestTransportSendsRequestsWhole(t *testing.T) {
	t.Parallel()
	srv := newConnServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("X-Len", strconv.Itoa(len(b)))
		w.Header().Set("X-Host", r.Host)
		w.Header().Set("X-Seen", r.Header.Get("X-Custom"))
		w.Header().Set("X-UA", r.Header.Get("User-Agent"))
		w.Header().Set("Trailer", "X-Sum")
		io.WriteString(w, r.Method)
		w.Header().Set("X-Sum", strconv.Itoa(len(b)%7))
	})
	tr := newTestTransport(t)
	for _, size := range []int{0, 1, 1024, MaxDirectBody, MaxDirectBody + 1, 1 << 20} {
		for _, known := range []bool{true, false} {
			var body io.Reader = strings.NewReader(strings.Repeat("y", size))
			if !known {
				body = io.MultiReader(body) // hides the length: sent chunked
			}
			req, err := http.NewRequest(http.MethodPut, srv.URL+"/items/1", body)
			require.NoError(t, err)
			req.Host = "product.mesh"
			req.Header.Set("X-Custom", "kept")
			req.Header.Set("User-Agent", "") // as httputil.ReverseProxy sends a request without one
			resp, err := tr.RoundTrip(req)
			require.NoError(t, err, "size %d", size)
			got, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, "PUT", string(got))
			assert.Equal(t, strconv.Itoa(size), resp.Header.Get("X-Len"), "size %d, known %v", size, known)
			assert.Equal(t, "product.mesh", resp.Header.Get("X-Host"))
			assert.Equal(t, "kept", resp.Header.Get("X-Seen"))
			assert.Empty(t, resp.Header.Get("X-UA"), "no User-Agent added")
			assert.Equal(t, strconv.Itoa(size%7), resp.Trailer.Get("X-Sum"), "trailer")
		}
	}
}

// TestTransportSkipsDeadConnections: the upstream closes every connection once it has
// answered (without saying so), so each pooled connection is dead when it is taken again. No
// request is sent on a dead connection: every one succeeds, and the upstream sees each once
// (nothing was sent twice): over plain connections, over connections a network-fault engine
// shapes (as a sidecar's are) and over TLS on those.
func TestTransportSkipsDeadConnections(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"plain", "shaped", "tls"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			var gets, posts, hungUp atomic.Int64
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					posts.Add(1)
				} else {
					gets.Add(1)
				}
				w.Header().Set("Content-Length", "2")
				w.WriteHeader(http.StatusOK)
				io.WriteString(w, "ok")
				http.NewResponseController(w).Flush()
				if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
					conn.Close() // gone once the answer is out: the client has already pooled it
					hungUp.Add(1)
				}
			}))
			t.Cleanup(srv.Close)
			d := &net.Dialer{Timeout: DialTimeout}
			engine := netfault.NewEngine(nil, 1)
			var tr *Transport
			switch mode {
			case "plain":
				srv.Start()
				tr = NewTransport()
			case "shaped":
				srv.Start()
				tr = NewTransport()
				tr.DialContext = DialFunc(engine.DialContext(d.DialContext))
			case "tls":
				srv.StartTLS()
				cfg := srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
				cfg.ServerName = "127.0.0.1"
				tr = NewTLSTransportDial(DialFunc(engine.DialContext(d.DialContext)),
					func(string) *tls.Config { return cfg.Clone() }, nil)
			}
			t.Cleanup(tr.CloseIdleConnections)
			url := "http://" + srv.Listener.Addr().String() + "/orders"
			for i := range 100 {
				method := http.MethodGet
				if i%2 == 1 {
					method = http.MethodPost
				}
				code, body, err := send(t, tr, method, url, "o")
				require.NoError(t, err, "request %d (%s)", i, method)
				require.Equal(t, http.StatusOK, code)
				require.Equal(t, "ok", body)
				require.Eventually(t, func() bool { return hungUp.Load() == int64(i+1) }, wait, time.Millisecond)
			}
			assert.EqualValues(t, 50, posts.Load(), "each POST reached the upstream once")
			assert.EqualValues(t, 50, gets.Load(), "each GET reached the upstream once")
		})
	}
}

// TestTransportCancelsOnContext: a request whose context ends while it waits for the answer,
// or while the answer's body is coming, ends then with the context's error; its connection is
// not reused.
func TestTransportCancelsOnContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv := newConnServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/body" {
			io.WriteString(w, "part")
			http.NewResponseController(w).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	tr := newTestTransport(t)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/head", nil)
	start := time.Now()
	_, err := tr.RoundTrip(req)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second, "ends when the context does")

	ctx2, cancel2 := context.WithCancel(context.Background())
	req, _ = http.NewRequestWithContext(ctx2, http.MethodGet, srv.URL+"/body", nil)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	buf := make([]byte, 4)
	_, err = io.ReadFull(resp.Body, buf)
	require.NoError(t, err)
	time.AfterFunc(100*time.Millisecond, cancel2)
	_, err = io.ReadAll(resp.Body)
	assert.ErrorIs(t, err, context.Canceled)
	resp.Body.Close()

	require.Eventually(t, func() bool { return srv.closed.Load() == 2 }, wait, 10*time.Millisecond,
		"both connections closed")
	tr.mu.Lock()
	assert.Zero(t, tr.nIdle, "neither was pooled")
	tr.mu.Unlock()
}

// TestTransportClosesCutAnswers: an answer whose body is closed before its end, or that says
// Connection: close, leaves its connection closed, not pooled; the next request gets a new one.
func TestTransportClosesCutAnswers(t *testing.T) {
	t.Parallel()
	srv := newConnServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/close" {
			w.Header().Set("Connection", "close")
		}
		io.WriteString(w, strings.Repeat("z", 100<<10))
	})
	tr := newTestTransport(t)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/big", nil)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	_, err = io.ReadFull(resp.Body, make([]byte, 10))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	_, err = resp.Body.Read(make([]byte, 1))
	assert.Error(t, err, "read after close")
	_, _, err = send(t, tr, http.MethodGet, srv.URL+"/close", "")
	require.NoError(t, err)
	tr.mu.Lock()
	assert.Zero(t, tr.nIdle, "neither connection was pooled")
	tr.mu.Unlock()
	_, _, err = send(t, tr, http.MethodGet, srv.URL+"/big", "")
	require.NoError(t, err)
	assert.EqualValues(t, 3, srv.opened.Load(), "a new connection after each")
	require.Eventually(t, func() bool { return srv.closed.Load() == 2 }, wait, 10*time.Millisecond)
}

// TestTransportDisableKeepAlives: each request gets its own connection and says
// Connection: close, so the upstream does not keep its end open either.
func TestTransportDisableKeepAlives(t *testing.T) {
	t.Parallel()
	var closing atomic.Int64
	srv := newConnServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Close {
			closing.Add(1)
		}
		io.WriteString(w, "ok")
	})
	tr := newTestTransport(t)
	tr.DisableKeepAlives = true
	for range 3 {
		_, got, err := send(t, tr, http.MethodGet, srv.URL, "")
		require.NoError(t, err)
		assert.Equal(t, "ok", got)
	}
	assert.EqualValues(t, 3, srv.opened.Load())
	assert.EqualValues(t, 3, closing.Load(), "each said Connection: close")
	require.Eventually(t, func() bool { return srv.closed.Load() == 3 }, wait, 10*time.Millisecond)
}

// TestTransportClosesIdleConnections: a connection idle for IdleConnTimeout is closed, and
// CloseIdleConnections closes every idle one.
func TestTransportClosesIdleConnections(t *testing.T) {
	t.Parallel()
	srv := newConnServer(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	tr := newTestTransport(t)
	tr.IdleConnTimeout = 300 * time.Millisecond
	_, _, err := send(t, tr, http.MethodGet, srv.URL, "")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return srv.closed.Load() == 1 }, wait, 10*time.Millisecond,
		"closed after its idle time")

	tr = newTestTransport(t) // the package's idle time: nothing expires before the close below
	var wg sync.WaitGroup
	for range 4 { // four at once: four connections
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/slow", nil)
			resp, err := tr.RoundTrip(req)
			if assert.NoError(t, err) {
				time.Sleep(50 * time.Millisecond)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	require.EqualValues(t, 5, srv.opened.Load())
	tr.CloseIdleConnections()
	require.Eventually(t, func() bool { return srv.closed.Load() == 5 }, wait, 10*time.Millisecond)

	// what goes through net/http's transport still goes after it
	_, got, err := send(t, tr, http.MethodPut, srv.URL, strings.Repeat("p", 2*MaxDirectBody))
	require.NoError(t, err)
	assert.Equal(t, "ok", got)
}

// TestTransportSkipsDeadPool: every pooled connection dies at once (an upstream restart);
// the requests after it skip all of them, succeed, and reach the upstream once each.
func TestTransportSkipsDeadPool(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var after atomic.Int64
	srv := newConnServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			<-release
		} else {
			after.Add(1)
		}
		io.WriteString(w, "ok")
	})
	tr := newTestTransport(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, _, err := send(t, tr, http.MethodGet, srv.URL+"/hold", "")
			assert.NoError(t, err)
		})
	}
	require.Eventually(t, func() bool { return srv.opened.Load() == 8 }, wait, time.Millisecond)
	close(release)
	wg.Wait()
	srv.CloseClientConnections()
	require.Eventually(t, func() bool { return srv.closed.Load() == 8 }, wait, time.Millisecond)
	for i := range 8 {
		_, got, err := send(t, tr, http.MethodGet, srv.URL+"/users/7", "")
		require.NoError(t, err, "request %d", i)
		assert.Equal(t, "ok", got)
	}
	assert.EqualValues(t, 8, after.Load(), "none sent twice")
	assert.EqualValues(t, 9, srv.opened.Load(), "one new connection served them all")
}

// TestTransportPassesInformationalAnswers: a 103 Early Hints before the answer reaches the
// request's trace (httputil.ReverseProxy forwards it from there) and the final answer follows.
func TestTransportPassesInformationalAnswers(t *testing.T) {
	t.Parallel()
	srv := newConnServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Link", "</app.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Del("Link")
		io.WriteString(w, "final")
	})
	tr := newTestTransport(t)
	var got []int
	var link string
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			got, link = append(got, code), h.Get("Link")
			return nil
		}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "final", string(b))
	assert.Equal(t, []int{http.StatusEarlyHints}, got)
	assert.Equal(t, "</app.css>; rel=preload", link)
}

// TestTransportConnectFailure: a refused connection is a connect failure (nothing was sent).
func TestTransportConnectFailure(t *testing.T) {
	t.Parallel()
	_, _, err := send(t, newTestTransport(t), http.MethodPost, "http://"+proctest.DeadAddrFor(t)+"/orders", "o")
	require.Error(t, err)
	assert.True(t, IsConnectFailure(err), "%v", err)
}

// TestTransportRefusesGarbage: an upstream that answers something that is not HTTP fails the
// request (not a hang, not a made-up answer) and its connection is dropped.
func TestTransportRefusesGarbage(t *testing.T) {
	t.Parallel()
	url := rawServer(t, func(*http.Request) string { return "SSH-2.0-OpenSSH_9.6\r\n" })
	_, _, err := send(t, newTestTransport(t), http.MethodGet, url+"/", "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "malformed HTTP")
}

// TestProxyCarriesUpgradesAndContinues: what Transport hands to net/http's transport still
// works end to end through a proxy: a protocol upgrade (101, then bytes both ways) and a
// request that expects 100 Continue before its body.
func TestProxyCarriesUpgradesAndContinues(t *testing.T) {
	t.Parallel()
	up := newBackend(t, "echo-1", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") == "echo" {
			conn, brw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
			line, _ := brw.ReadString('\n')
			io.WriteString(conn, "echo "+line)
			return
		}
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, "got "+string(b))
	})
	p := New(Options{Timeout: wait, Logger: meshtest.Logger(t)})
	p.Update(snapshot(1, up.instance("echo")))
	url := front(t, p, "echo")

	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), wait)
	require.NoError(t, err)
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(wait))
	io.WriteString(conn, "GET /chat HTTP/1.1\r\nHost: echo\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	io.WriteString(conn, "ping\n")
	line, err := br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "echo ping\n", line)

	c := &http.Client{Timeout: wait, Transport: &http.Transport{ExpectContinueTimeout: wait}}
	req, _ := http.NewRequest(http.MethodPost, url+"/orders", strings.NewReader("order"))
	req.Header.Set("Expect", "100-continue")
	res, err := c.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "got order", string(b))
}

// TestTransportBoundsAnswerHeads: an upstream whose answer's head runs past
// MaxResponseHeaderBytes fails the request instead of growing the proxy's memory with it; a
// head just under the bound, and a body far larger than it, pass.
func TestTransportBoundsAnswerHeads(t *testing.T) {
	t.Parallel()
	srv := newConnServer(t, func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.Atoi(r.URL.Query().Get("head"))
		w.Header().Set("X-Big", strings.Repeat("h", size))
		io.WriteString(w, strings.Repeat("b", 4<<20))
	})
	tr := newTestTransport(t)
	_, body, err := send(t, tr, http.MethodGet, srv.URL+"/?head="+strconv.Itoa(MaxResponseHeaderBytes-1024), "")
	require.NoError(t, err)
	assert.Len(t, body, 4<<20)
	_, _, err = send(t, tr, http.MethodGet, srv.URL+"/?head="+strconv.Itoa(2*MaxResponseHeaderBytes), "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exceeded")
	_, body, err = send(t, tr, http.MethodGet, srv.URL+"/?head=10", "")
	require.NoError(t, err, "a new connection after the refused one")
	assert.Len(t, body, 4<<20)
}

// TestTransportBoundsInformationalAnswers: an upstream that sends informational answers
// without end fails the request after a few (as net/http's transport does) rather than
// keeping the proxy reading them.
func TestTransportBoundsInformationalAnswers(t *testing.T) {
	t.Parallel()
	url := rawServer(t, func(req *http.Request) string {
		n, _ := strconv.Atoi(req.URL.Query().Get("n"))
		return strings.Repeat("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n", n) +
			"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	})
	tr := newTestTransport(t)
	base := url + "/?n="
	_, body, err := send(t, tr, http.MethodGet, base+strconv.Itoa(max1xx), "")
	require.NoError(t, err, "as many as net/http allows")
	assert.Equal(t, "ok", body)
	_, _, err = send(t, tr, http.MethodGet, base+strconv.Itoa(max1xx+1), "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "too many 1xx")
}

// TestTransportHandshakeFailuresArePeers: onFail counts handshakes the peer failed, not those
// the request's deadline or cancellation cut short.
func TestTransportHandshakeFailuresArePeers(t *testing.T) {
	t.Parallel()
	silent, _ := proctest.SilentAddr(t)
	var failed atomic.Int64
	cfg := &tls.Config{InsecureSkipVerify: true}
	tr := NewTLSTransport(func(string) *tls.Config { return cfg }, func(error) { failed.Add(1) })
	t.Cleanup(tr.CloseIdleConnections)
	url := "http://" + silent + "/"

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := tr.RoundTrip(meshtest.NewRequest(t, http.MethodGet, url, "", nil).WithContext(ctx))
	require.Error(t, err)
	assert.Zero(t, failed.Load(), "the request's deadline ended the handshake")

	ctx, cancel = context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = tr.RoundTrip(meshtest.NewRequest(t, http.MethodGet, url, "", nil).WithContext(ctx))
	require.Error(t, err)
	assert.Zero(t, failed.Load(), "the request's cancellation ended the handshake")

	garbage := rawServer(t, func(*http.Request) string { return "SSH-2.0-OpenSSH_9.6\r\n" })
	_, err = tr.RoundTrip(meshtest.NewRequest(t, http.MethodGet, garbage+"/", "", nil))
	require.Error(t, err)
	assert.EqualValues(t, 1, failed.Load(), "a peer that does not speak TLS fails the handshake")
}
