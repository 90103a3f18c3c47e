package services_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/services"
)

func TestGetUser(t *testing.T) {
	t.Parallel()
	_, base := serve(t, services.Config{Service: "user"})
	tests := []struct {
		name, id string
		want     int
	}{
		{"first", "1", http.StatusOK},
		{"documented", "17", http.StatusOK},
		{"last", "1000", http.StatusOK},
		{"zero", "0", http.StatusNotFound},
		{"past the end", "1001", http.StatusNotFound},
		{"negative", "-3", http.StatusNotFound},
		{"not a number", "ada", http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := do(t, http.MethodGet, base+"/users/"+tc.id, nil, nil)
			require.Equal(t, tc.want, a.status, "body %s", a.raw)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
			if tc.want != http.StatusOK {
				assert.NotEmpty(t, a.object(t)["error"])
				return
			}
			var u struct {
				ID                int
				Name, Email, Tier string
			}
			a.decode(t, &u)
			assert.Equal(t, tc.id, itoa(u.ID))
			assert.NotEmpty(t, u.Name)
			assert.Contains(t, u.Email, "@example.com")
			assert.Contains(t, []string{"free", "plus", "pro"}, u.Tier)
		})
	}
}

func TestUsersAreSeededIdenticallyOnEveryReplica(t *testing.T) {
	t.Parallel()
	_, one := serve(t, services.Config{Service: "user", Instance: "user-1", Seed: 9})
	_, two := serve(t, services.Config{Service: "user", Instance: "user-2", Seed: 9})
	_, other := serve(t, services.Config{Service: "user", Instance: "user-1", Seed: 10})
	differs := false
	for _, id := range []string{"1", "17", "500", "1000"} {
		a := do(t, http.MethodGet, one+"/users/"+id, nil, nil).raw
		assert.Equal(t, string(a), string(do(t, http.MethodGet, two+"/users/"+id, nil, nil).raw))
		differs = differs || string(a) != string(do(t, http.MethodGet, other+"/users/"+id, nil, nil).raw)
	}
	assert.True(t, differs, "another seed, other users")
}
