package services

import (
	"net/http"
	"strconv"
)

// users is the user service: a read-only directory, its answers encoded once.
type users struct {
	bodies [][]byte // JSON answer of user id at id-1
}

func newUsers(e env) backend { return &users{bodies: userBodies(e.cfg.Seed)} }

func (u *users) routes(rt *router) {
	rt.handle(http.MethodGet, "/users/{id}", u.get)
}

func (u *users) get(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r.PathValue("id"), numUsers)
	if !ok {
		writeError(w, http.StatusNotFound, "no user "+strconv.Quote(r.PathValue("id")))
		return
	}
	writeBody(w, http.StatusOK, u.bodies[id-1])
}

func (u *users) stats(into map[string]any) { into["users"] = len(u.bodies) }

// parseID parses a path id in 1..max.
func parseID(s string, max int) (int, bool) {
	id, err := strconv.Atoi(s)
	return id, err == nil && id >= 1 && id <= max
}

var _ backend = (*users)(nil)
