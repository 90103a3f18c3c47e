package sidecar

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAdminNeedsToken(t *testing.T) {
	t.Parallel()
	p := startPod(t, Config{Service: "user", Instance: "user-1"}, nil)
	for _, path := range []string{"/healthz", "/v1/config"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, http.StatusUnauthorized, do(t, "GET", p.admin.URL+path, "", "", nil).Code)
			wrong := http.Header{"Authorization": {"Bearer nope"}}
			assert.Equal(t, http.StatusUnauthorized, do(t, "GET", p.admin.URL+path, "", "", wrong).Code)
			assert.Equal(t, http.StatusOK, do(t, "GET", p.admin.URL+path, "", "", tokenHeader()).Code)
		})
	}
}

func TestAdminConfig(t *testing.T) {
	t.Parallel()
	p := startPod(t, Config{Service: "order", Instance: "order-1", Version: "v2", Retries: 2}, nil)
	u := startPod(t, Config{Service: "user", Instance: "user-1"}, nil)
	publish(42, []*pod{p}, u)

	var cfg struct {
		Service, Instance, Version, App, Timeout string
		Retries                                  int
		SnapshotVersion                          uint64
		Synced                                   bool
		Endpoints                                map[string][]struct{ ID, Addr string }
	}
	a := do(t, "GET", p.admin.URL+"/v1/config", "", "", tokenHeader())
	require.Equal(t, http.StatusOK, a.Code)
	assert.Equal(t, "application/json", a.Header.Get("Content-Type"))
	a.Decode(t, &cfg)
	assert.Equal(t, "order", cfg.Service)
	assert.Equal(t, "order-1", cfg.Instance)
	assert.Equal(t, "v2", cfg.Version)
	assert.Equal(t, "5s", cfg.Timeout, "the default")
	assert.Equal(t, 2, cfg.Retries)
	assert.Equal(t, uint64(42), cfg.SnapshotVersion)
	assert.True(t, cfg.Synced)
	require.Len(t, cfg.Endpoints["user"], 1)
	assert.Equal(t, "user-1", cfg.Endpoints["user"][0].ID)
	assert.Equal(t, u.in.Listener.Addr().String(), cfg.Endpoints["user"][0].Addr)
}
