package stress

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func do(t *testing.T, method, url, body string) (int, Status, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var st Status
	if resp.StatusCode == http.StatusOK {
		require.NoError(t, json.Unmarshal(raw, &st), string(raw))
	}
	return resp.StatusCode, st, string(raw)
}

func TestHandler(t *testing.T) {
	s := New(nil)
	defer s.Stop()
	srv := httptest.NewServer(Handler(s))
	defer srv.Close()

	code, st, _ := do(t, http.MethodGet, srv.URL, "")
	require.Equal(t, http.StatusOK, code)
	assert.False(t, st.Running)

	code, st, body := do(t, http.MethodPut, srv.URL,
		`{"cpu":{"workers":1,"load":0},"memory":{"workers":2,"size":"8MiB"}}`)
	require.Equal(t, http.StatusOK, code, body)
	assert.True(t, st.Running)
	assert.Equal(t, int64(8<<20), st.BytesWanted)
	waitHeld(t, s, 8<<20)

	for _, bad := range []string{`{"cpu":{"workers":1,"load":200}}`, `{"cpu":{"wokers":1}}`, `not json`} {
		code, _, body = do(t, http.MethodPut, srv.URL, bad)
		assert.Equal(t, http.StatusBadRequest, code, bad)
		assert.Contains(t, body, `"error"`, bad)
	}
	assert.True(t, s.Status().Running, "a rejected spec leaves the running one alone")

	code, st, _ = do(t, http.MethodDelete, srv.URL, "")
	require.Equal(t, http.StatusOK, code)
	assert.False(t, st.Running)

	code, _, _ = do(t, http.MethodPost, srv.URL, "{}")
	assert.Equal(t, http.StatusMethodNotAllowed, code)
}
