package gateway

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/services"
	"github.com/meshlab/meshlab/mesh/sidecar"
)

// meshPod is a real service instance behind a real sidecar.
type meshPod struct {
	sc   *sidecar.Sidecar
	inst controlplane.Instance
}

func startMeshPod(t *testing.T, service, id string) meshPod {
	svc, err := services.New(services.Config{Service: service, Instance: id, Seed: 1, Logger: meshtest.Logger(t)})
	require.NoError(t, err)
	app := httptest.NewServer(svc)
	t.Cleanup(app.Close)
	sc, err := sidecar.New(sidecar.Config{Service: service, Instance: id, Retries: 1,
		App: app.Listener.Addr().String(), Logger: meshtest.Logger(t)})
	require.NoError(t, err)
	in, out := httptest.NewServer(sc.Inbound()), httptest.NewServer(sc.Outbound())
	t.Cleanup(in.Close)
	t.Cleanup(out.Close)
	svc.SetOutbound(out.URL)
	return meshPod{sc: sc, inst: controlplane.Instance{ID: id, Service: service, Addr: in.Listener.Addr().String(), Ready: true}}
}

// TestThroughTheMesh sends the public API through the gateway to real services behind
// sidecars, one of them an instance whose address refuses connections.
func TestThroughTheMesh(t *testing.T) {
	t.Parallel()
	pods := []meshPod{
		startMeshPod(t, "user", "user-1"), startMeshPod(t, "product", "product-1"),
		startMeshPod(t, "order", "order-1"), startMeshPod(t, "payment", "payment-1"),
		startMeshPod(t, "user", "user-2"),
	}
	snap := controlplane.Snapshot{Version: 1, Services: map[string][]controlplane.Instance{}}
	for _, p := range pods {
		snap.Services[p.inst.Service] = append(snap.Services[p.inst.Service], p.inst)
	}
	snap.Services["user"][1].Addr = "127.0.0.1:1" // user-2 is gone, not yet out of the table
	g, err := New(Config{Retries: 1, Logger: meshtest.Logger(t)})
	require.NoError(t, err)
	g.Update(snap)
	for _, p := range pods {
		p.sc.Update(snap)
	}
	gw := httptest.NewServer(g)
	t.Cleanup(gw.Close)

	tests := []struct {
		name, method, path, body string
		code                     int
	}{
		{"user", "GET", "/users/17", "", 200},
		{"user again", "GET", "/users/18", "", 200},
		{"unknown user", "GET", "/users/5000", "", 404},
		{"product", "GET", "/products/4711", "", 200},
		{"products", "GET", "/products?limit=3", "", 200},
		{"order", "POST", "/orders", `{"userId":3,"items":[{"productId":9,"quantity":1}],"card":"tok_visa"}`, 201},
		{"payment", "POST", "/payments", `{"amountCents":1200,"currency":"USD","card":"tok_visa"}`, 201},
	}
	for _, tt := range tests { // in order: the round robin over users alternates
		a := meshtest.Do(t, tt.method, gw.URL+tt.path, tt.body, http.Header{"Content-Type": {"application/json"}})
		assert.Equal(t, tt.code, a.Code, "%s: %s", tt.name, a.Body)
		assert.Equal(t, "application/json", a.Header.Get("Content-Type"), tt.name)
		assert.NotEmpty(t, a.Header.Get("X-Request-Id"), tt.name)
	}
}
