package identity_test

import (
	"crypto/tls"
	"net/http"
	"testing"
	"time"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/identity"
)

// wait bounds how long a test waits for something that should happen much sooner.
const wait = 10 * time.Second

// serveTLS serves h over TLS with cfg on a loopback port until the test ends; it returns the
// address.
func serveTLS(t testing.TB, cfg *tls.Config, h http.Handler) string {
	return meshtest.ServeOn(t, tls.NewListener(meshtest.Listen(t, "127.0.0.1:0"), cfg), &http.Server{Handler: h})
}

// peerID answers the caller's SPIFFE ID.
var peerID = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	id, _ := identity.PeerIdentity(r.TLS)
	w.Write([]byte(id))
})

// get GETs url with c and returns the body.
func get(c *http.Client, url string) (string, error) {
	a, err := meshtest.Fetch(c, http.MethodGet, url)
	return a.Body, err
}
