package faults_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/faults"
	"github.com/meshlab/meshlab/mesh/proxy"
)

func TestAbortRequestClosesWithoutAnswer(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	e := &faults.Engine{Port: 8080}
	require.NoError(t, e.Set([]faults.HTTPRule{{Name: "abort", Target: "Request", Port: 8080,
		Path: ptr("/payments"), Method: ptr("POST"), Abort: ptr(true)}}))
	srv := front(t, up, e.Middleware)
	resp, err := http.Post(srv.URL+"/payments", "application/json", strings.NewReader("{}"))
	require.Error(t, err, "a transport error, not a status")
	assert.True(t, proxy.IsConnectionLost(err), "EOF or reset: %v", err)
	assert.Nil(t, resp)
	assert.Zero(t, up.hits.Load(), "the upstream never saw it")
	resp, err = http.Get(srv.URL + "/payments") // method differs
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, map[string]uint64{"abort": 1}, e.Stats())
}

func TestAbortResponseAfterUpstreamExecuted(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	e := &faults.Engine{}
	require.NoError(t, e.Set([]faults.HTTPRule{{Target: "Response", Code: ptr[int32](200), Abort: ptr(true)}}))
	resp, err := http.Post(front(t, up, e.Middleware).URL+"/payments", "application/json", strings.NewReader("{}"))
	require.Error(t, err)
	assert.True(t, proxy.IsConnectionLost(err), "EOF or reset: %v", err)
	assert.Nil(t, resp)
	assert.EqualValues(t, 1, up.hits.Load())
	assert.Equal(t, map[string]uint64{"rule-0": 1}, e.Stats())
}

func TestDelay(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	e := &faults.Engine{}
	require.NoError(t, e.Set([]faults.HTTPRule{{Target: "Request", Path: ptr("/slow/*"), Delay: ptr("200ms")}}))
	srv := front(t, up, e.Middleware)
	start := time.Now()
	resp, err := http.Get(srv.URL + "/slow/a/b")
	require.NoError(t, err)
	resp.Body.Close()
	assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)

	require.NoError(t, e.Set([]faults.HTTPRule{{Target: "Request", Delay: ptr("1h")}}))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/x", nil)
	start = time.Now()
	_, err = http.DefaultClient.Do(req)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Zero(t, up.hits.Load()-1, "the cancelled request never reached the upstream")
}

func TestReplaceRequest(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	e := &faults.Engine{}
	require.NoError(t, e.Set([]faults.HTTPRule{{Target: "Request", Replace: &faults.Replace{
		Path: ptr("/other"), Method: ptr("PUT"), Body: []byte("new body"),
		Queries: map[string]string{"a": "9", "c": "3"}, Headers: map[string]string{"x-h": "replaced"},
	}}}))
	req, _ := http.NewRequest("POST", front(t, up, e.Middleware).URL+"/orders?a=1&a=2&b=2", strings.NewReader("old"))
	req.Header.Add("X-H", "1")
	req.Header.Add("X-H", "2")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	s := decode(t, resp)
	assert.Equal(t, "PUT", s.Method)
	assert.Equal(t, "/other", s.Path)
	assert.Equal(t, "a=9&b=2&c=3", s.Query, "merged, duplicates collapsed, re-encoded")
	assert.Equal(t, []string{"replaced"}, s.Header["X-H"])
	assert.Equal(t, "new body", s.Body)
	assert.Equal(t, []string{"8"}, s.Header["Content-Length"])
}

func TestReplaceResponse(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	e := &faults.Engine{}
	var rules []faults.HTTPRule // as the harness passes Chaos Mesh's spec: body in base64
	require.NoError(t, json.Unmarshal([]byte(`[{"target":"Response","port":8080,"path":"/p",
		"replace":{"code":418,"body":"aGVsbG8=","headers":{"X-Upstream":"no"}}}]`), &rules))
	require.NoError(t, e.Set(rules))
	resp, err := http.Get(front(t, up, e.Middleware).URL + "/p")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusTeapot, resp.StatusCode)
	assert.Equal(t, "hello", string(b))
	assert.EqualValues(t, 5, resp.ContentLength)
	assert.Equal(t, "no", resp.Header.Get("X-Upstream"))
}

func TestPatchRequest(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	e := &faults.Engine{}
	require.NoError(t, e.Set([]faults.HTTPRule{{Target: "Request", Patch: &faults.Patch{
		Queries: [][]string{{"a", "2"}},
		Headers: [][]string{{"X-P", "1"}, {"x-p", "2"}},
		Body:    &faults.PatchBody{Type: "JSON", Value: `{"amount":0,"drop":null,"n":{"b":2}}`},
	}}}))
	req, _ := http.NewRequest("POST", front(t, up, e.Middleware).URL+"/pay?a=1",
		strings.NewReader(`{"amount":12.50,"drop":true,"n":{"a":1},"big":12345678901234567890}`))
	req.Header.Set("X-P", "0")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	s := decode(t, resp)
	assert.Equal(t, "a=1&a=2", s.Query)
	assert.Equal(t, []string{"0", "2"}, s.Header["X-P"], "appended; repeated names collapse to the last")
	assert.JSONEq(t, `{"amount":0,"n":{"a":1,"b":2},"big":12345678901234567890}`, s.Body)
}

func TestPatchResponseBody(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	e := &faults.Engine{}
	require.NoError(t, e.Set([]faults.HTTPRule{{Target: "Response", ResponseHeaders: map[string]string{"x-upstream": "yes"},
		Patch: &faults.Patch{Body: &faults.PatchBody{Type: "JSON", Value: `{"method":"PATCHED"}`},
			Headers: [][]string{{"X-Added", "1"}}}}}))
	srv := front(t, up, e.Middleware)
	resp, err := http.Get(srv.URL + "/j")
	require.NoError(t, err)
	assert.Equal(t, "1", resp.Header.Get("X-Added"))
	s := decode(t, resp)
	assert.Equal(t, "PATCHED", s.Method)
	assert.Equal(t, "/j", s.Path)

	// A body that is not JSON: the patch acts as an abort.
	require.NoError(t, e.Set([]faults.HTTPRule{{Target: "Request",
		Patch: &faults.Patch{Body: &faults.PatchBody{Type: "JSON", Value: `{"a":1}`}}}}))
	before := up.hits.Load()
	_, err = http.Post(srv.URL+"/j", "text/plain", strings.NewReader("not json"))
	require.Error(t, err)
	assert.Equal(t, before, up.hits.Load())
}

func TestActionOrderAndResponseSeesModifiedRequest(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	e := &faults.Engine{}
	require.NoError(t, e.Set([]faults.HTTPRule{
		{Name: "move", Target: "Request", Path: ptr("/a"), Delay: ptr("50ms"), Replace: &faults.Replace{Path: ptr("/b")}},
		{Name: "after-move", Target: "Request", Path: ptr("/b"), Patch: &faults.Patch{Headers: [][]string{{"X-Second", "1"}}}},
		{Name: "teapot", Target: "Response", Path: ptr("/b"), Replace: &faults.Replace{Code: ptr[int32](418)}},
		{Name: "on-teapot", Target: "Response", Code: ptr[int32](418), Patch: &faults.Patch{Headers: [][]string{{"X-Teapot", "1"}}}},
		{Name: "never", Target: "Response", Path: ptr("/a"), Abort: ptr(true)},
	}))
	start := time.Now()
	resp, err := http.Get(front(t, up, e.Middleware).URL + "/a")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
	assert.Equal(t, http.StatusTeapot, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get("X-Teapot"))
	s := decode(t, resp)
	assert.Equal(t, "/b", s.Path)
	assert.Equal(t, []string{"1"}, s.Header["X-Second"])
	assert.Equal(t, map[string]uint64{"move": 1, "after-move": 1, "teapot": 1, "on-teapot": 1, "never": 0}, e.Stats())

	// abort comes before delay: no wait.
	require.NoError(t, e.Set([]faults.HTTPRule{{Target: "Request", Abort: ptr(true), Delay: ptr("1h")}}))
	_, err = http.Get(front(t, up, e.Middleware).URL + "/a")
	require.Error(t, err)
}

func TestMatching(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	e := &faults.Engine{Port: 8080}
	srv := front(t, up, e.Middleware)
	tests := []struct {
		name string
		rule faults.HTTPRule
		path string
		hdr  map[string]string
		want bool
	}{
		{"star crosses slashes", faults.HTTPRule{Path: ptr("/api/*")}, "/api/a/b/c", nil, true},
		{"whole string", faults.HTTPRule{Path: ptr("/api")}, "/api/x", nil, false},
		{"question mark", faults.HTTPRule{Path: ptr("/p?")}, "/p1", nil, true},
		{"question mark is one", faults.HTTPRule{Path: ptr("/p?")}, "/p12", nil, false},
		{"query not matched", faults.HTTPRule{Path: ptr("/q")}, "/q?x=1", nil, true},
		{"case-sensitive path", faults.HTTPRule{Path: ptr("/Q")}, "/q", nil, false},
		{"method exact", faults.HTTPRule{Method: ptr("get")}, "/", nil, false},
		{"header name any case", faults.HTTPRule{RequestHeaders: map[string]string{"x-user": "u1"}}, "/", map[string]string{"X-USER": "u1"}, true},
		{"header value exact", faults.HTTPRule{RequestHeaders: map[string]string{"x-user": "u1"}}, "/", map[string]string{"X-User": "U1"}, false},
		{"code ignored on request", faults.HTTPRule{Code: ptr[int32](500)}, "/", nil, true},
		{"other port", faults.HTTPRule{Port: 9090}, "/", nil, false},
		{"same port", faults.HTTPRule{Port: 8080}, "/", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.rule
			r.Target, r.Abort = "Request", ptr(true)
			require.NoError(t, e.Set([]faults.HTTPRule{r}))
			req, _ := http.NewRequest("GET", srv.URL+tt.path, nil)
			for k, v := range tt.hdr {
				req.Header.Set(k, v)
			}
			resp, err := srv.Client().Do(req)
			if err == nil {
				resp.Body.Close()
			}
			assert.Equal(t, tt.want, err != nil, "aborted")
		})
	}
}

func TestRuleSwapOnKeepAlive(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	e := &faults.Engine{}
	srv := front(t, up, e.Middleware)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	reused := func() bool {
		var r bool
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			GotConn: func(i httptrace.GotConnInfo) { r = i.Reused }})
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/k", nil)
		resp, err := client.Do(req)
		require.NoError(t, err)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return r
	}
	reused()
	require.NoError(t, e.Set([]faults.HTTPRule{{Target: "Response", Replace: &faults.Replace{Code: ptr[int32](503)}}}))
	req, _ := http.NewRequest("GET", srv.URL+"/k", nil)
	var wasReused bool
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GotConn: func(i httptrace.GotConnInfo) { wasReused = i.Reused }}))
	resp, err := client.Do(req)
	require.NoError(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	assert.True(t, wasReused, "same connection")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "the new rule applies at once")
	require.NoError(t, e.Set(nil))
	assert.True(t, reused())
}

func TestSetValidatesAndIsIdempotent(t *testing.T) {
	t.Parallel()
	e := &faults.Engine{}
	err := e.Set([]faults.HTTPRule{{Target: "Both", Delay: ptr("soon"),
		Patch: &faults.Patch{Body: &faults.PatchBody{Type: "XML"}, Headers: [][]string{{"x"}}}}})
	require.Error(t, err)
	for _, want := range []string{"target", "delay", "patch.body.type", "patch pair"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.Nil(t, e.Rules())
	rules := []faults.HTTPRule{{Name: "d", Target: "Request", Delay: ptr("1ms")}}
	require.NoError(t, e.Set(rules))
	require.NoError(t, e.Set(rules))
	assert.Equal(t, rules, e.Rules())
}
