package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/stress"
)

func TestServiceAdminStress(t *testing.T) {
	t.Parallel()
	st := stress.New(nil)
	defer st.Stop()
	srv := httptest.NewServer(adminapi.RequireToken("s3cret", serviceAdmin(st)))
	defer srv.Close()

	call := func(method, body, tok string) (int, stress.Status) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+"/v1/stress", strings.NewReader(body))
		require.NoError(t, err)
		if tok != "" {
			req.Header.Set(adminapi.TokenHeader, tok)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var s stress.Status
		if resp.StatusCode == http.StatusOK {
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&s))
		}
		return resp.StatusCode, s
	}

	code, _ := call(http.MethodPut, `{"memory":{"workers":1,"size":"4MiB"}}`, "")
	assert.Equal(t, http.StatusUnauthorized, code, "no token")
	assert.False(t, st.Status().Running)

	code, s := call(http.MethodPut, `{"memory":{"workers":1,"size":"4MiB"}}`, "s3cret")
	require.Equal(t, http.StatusOK, code)
	assert.True(t, s.Running)
	assert.Equal(t, int64(4<<20), s.BytesWanted)

	code, s = call(http.MethodGet, "", "s3cret")
	require.Equal(t, http.StatusOK, code)
	assert.True(t, s.Running)

	code, _ = call(http.MethodPut, `{"cpu":{"workers":-1}}`, "s3cret")
	assert.Equal(t, http.StatusBadRequest, code)

	code, s = call(http.MethodDelete, "", "s3cret")
	require.Equal(t, http.StatusOK, code)
	assert.False(t, s.Running)
	assert.False(t, st.Status().Running)
}
