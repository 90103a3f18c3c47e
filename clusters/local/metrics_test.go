package local

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/adminapi"
)

// TestMetricsEndpoints scrapes every sidecar's and the gateway's /metrics after real traffic:
// the exposition passes `promtool check metrics`, needs the run token, and counts what went
// through.
func TestMetricsEndpoints(t *testing.T) {
	m := needMesh(t)
	for i := 0; i < 20; i++ {
		call(t, "GET", m.GatewayURL()+"/users/17", nil, nil, nil)
	}
	admins := map[string]string{"gateway": m.gateway.Addrs()["admin"]}
	for _, p := range m.pods {
		admins[p.id] = p.sidecar.Addrs()["admin"]
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil && os.Getenv("CI") == "" {
		t.Log("promtool not installed: exposition format not validated")
	} else {
		require.NoError(t, err, "promtool is required under CI")
	}
	for id, addr := range admins {
		resp, err := http.Get("http://" + addr + "/metrics")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "%s: /metrics without the token", id)

		req, _ := http.NewRequest("GET", "http://"+addr+"/metrics", nil)
		req.Header.Set(adminapi.TokenHeader, m.spec.Token)
		resp, err = http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, id)
		if id == "gateway" || strings.HasPrefix(id, "user-") { // the instances the traffic crossed
			assert.True(t, strings.Contains(string(body), "meshlab_requests_total"), "%s counts requests", id)
		}
		if promtool != "" {
			cmd := exec.Command(promtool, "check", "metrics")
			cmd.Stdin = bytes.NewReader(body)
			out, err := cmd.CombinedOutput()
			// promtool also prints lint advice (e.g. on counter names); only failures matter.
			assert.NoError(t, err, "%s: promtool: %s", id, out)
		}
		if id == "gateway" {
			assert.True(t, strings.Contains(string(body), `route="GET /users/{id}"`), "gateway counts the route")
		}
	}
}
