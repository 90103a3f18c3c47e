package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/meshlab/meshlab/mesh/adminapi"
)

func TestHealthHandler(t *testing.T) {
	t.Parallel()
	var ready synced
	h := healthHandler(ready.ready)
	code := func(path string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code
	}
	assert.Equal(t, http.StatusServiceUnavailable, code(adminapi.Ready), "not ready before the first snapshot or probe")
	assert.Equal(t, http.StatusOK, code(adminapi.Live))
	ready.Store(true)
	assert.Equal(t, http.StatusOK, code(adminapi.Ready))
	assert.Equal(t, http.StatusNotFound, code(adminapi.Stats), "nothing else is served without the token")
}
