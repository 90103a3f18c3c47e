package services_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/services"
)

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  services.Config
		want error
	}{
		{"unknown service", services.Config{Service: "inventory", Instance: "inventory-1"}, services.ErrUnknownService},
		{"no service", services.Config{Instance: "x-1"}, services.ErrUnknownService},
		{"bad work", services.Config{Service: "user", Instance: "user-1", Work: services.WorkTime{Fixed: -time.Second}}, services.ErrBadWorkTime},
		{"no instance", services.Config{Service: "user"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc, err := services.New(tc.cfg)
			require.Error(t, err)
			assert.Nil(t, svc)
			if tc.want != nil {
				assert.ErrorIs(t, err, tc.want)
			}
		})
	}
}

func TestEveryServiceServesHealthStatsAndJSONMisses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		service, path, method string // a route of the service, and a method it does not take
	}{
		{"user", "/users/1", http.MethodDelete},
		{"product", "/products/1", http.MethodPut},
		{"order", "/orders", http.MethodGet},
		{"payment", "/payments", http.MethodGet},
	}
	for _, tc := range tests {
		t.Run(tc.service, func(t *testing.T) {
			t.Parallel()
			_, base := serve(t, services.Config{Service: tc.service})

			a := do(t, http.MethodGet, base+"/healthz", nil, nil)
			assert.Equal(t, http.StatusOK, a.status)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))

			a = do(t, http.MethodGet, base+"/internal/stats", nil, nil)
			require.Equal(t, http.StatusOK, a.status)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
			stats := a.object(t)
			assert.Equal(t, tc.service, stats["service"])
			assert.Equal(t, tc.service+"-1", stats["instance"])

			a = do(t, http.MethodGet, base+"/nope", nil, nil)
			assert.Equal(t, http.StatusNotFound, a.status)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
			assert.NotEmpty(t, a.object(t)["error"])

			a = do(t, tc.method, base+tc.path, nil, nil)
			assert.Equal(t, http.StatusMethodNotAllowed, a.status)
			assert.NotEmpty(t, a.header.Get("Allow"))
			assert.NotEmpty(t, a.object(t)["error"])
		})
	}
}

func TestOnlyBusinessRequestsAreCounted(t *testing.T) {
	t.Parallel()
	_, base := serve(t, services.Config{Service: "user"})
	for range 3 {
		do(t, http.MethodGet, base+"/users/5", nil, nil)
		do(t, http.MethodGet, base+"/users/5000", nil, nil)
		do(t, http.MethodGet, base+"/healthz", nil, nil)
	}
	assert.Equal(t, 6, stat(t, base, "requests"))
}

func TestWorkTimeIsSpentOnBusinessRequestsOnly(t *testing.T) {
	t.Parallel()
	const work = 60 * time.Millisecond
	_, base := serve(t, services.Config{Service: "user", Work: services.WorkTime{Fixed: work}})
	for range 3 {
		start := time.Now()
		a := do(t, http.MethodGet, base+"/users/3", nil, nil)
		require.Equal(t, http.StatusOK, a.status)
		assert.GreaterOrEqual(t, time.Since(start), work, "a request takes at least the fixed work time")
	}

	// An hour of work per request would time the client out; health and stats do no work.
	_, slow := serve(t, services.Config{Service: "payment", Work: services.WorkTime{Fixed: time.Hour}})
	assert.Equal(t, http.StatusOK, do(t, http.MethodGet, slow+"/healthz", nil, nil).status)
	assert.Equal(t, http.StatusOK, do(t, http.MethodGet, slow+"/internal/stats", nil, nil).status)
}
