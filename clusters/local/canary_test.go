package local

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/policy"
)

// TestCanaryByVersion runs a mesh whose last payment replica is version v2 (topology
// versions) and splits payment calls 90/10 between the version subsets, as an Istio
// DestinationRule + VirtualService would: over 5,000 payments the canary's share lands within
// ±2 points of 10%, and the header match sends every x-canary request to it.
func TestCanaryByVersion(t *testing.T) {
	needMesh(t)
	spec := testSpec(t.TempDir())
	spec.Topology.Versions = map[string]map[string]int{"payment": {"v2": 1}}
	m := upPrivate(t, spec)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, w := range m.Workloads() {
		if w.App == "payment" {
			t.Logf("%s version %s", w.ID, w.Version)
		}
	}
	_, err := m.SetPolicy(ctx, policy.MeshPolicy{Spec: policy.Spec{Services: map[string]policy.ServicePolicy{
		"payment": {
			Subsets: []policy.Subset{{Name: "stable", Labels: map[string]string{"version": "v1"}},
				{Name: "canary", Labels: map[string]string{"version": "v2"}}},
			RoutePolicy: policy.RoutePolicy{Split: &policy.Split{
				Match:   []policy.HeaderRoute{{Headers: map[string]string{"x-canary": "true"}, Subset: "canary"}},
				Weights: []policy.WeightedSubset{{Subset: "stable", Weight: 90}, {Subset: "canary", Weight: 10}}}},
		}}}})
	require.NoError(t, err)
	time.Sleep(time.Second) // the policy reaches the gateway within a second

	served := func() map[string]int {
		out := map[string]int{}
		for _, p := range m.pods {
			if p.service == "payment" {
				var st struct{ Requests int }
				call(t, "GET", "http://"+p.app.Addrs()["http"]+"/internal/stats", nil, nil, &st)
				out[p.version] += st.Requests
			}
		}
		return out
	}
	before := served()
	const n, workers = 5000, 8
	body := map[string]any{"amountCents": 100, "currency": "USD", "card": "tok_visa"}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n/workers; i++ {
				resp := call(t, "POST", m.GatewayURL()+"/payments", body, nil, nil)
				if resp.StatusCode != 201 {
					t.Errorf("payment: %d", resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	after := served()
	canary := after["v2"] - before["v2"]
	total := canary + after["v1"] - before["v1"]
	share := float64(canary) / float64(total)
	t.Logf("canary share %.2f%% of %d payments", 100*share, total)
	assert.InDelta(t, 0.10, share, 0.02)

	for i := 0; i < 50; i++ {
		call(t, "POST", m.GatewayURL()+"/payments", body, map[string]string{"x-canary": "true"}, nil)
	}
	final := served()
	assert.Equal(t, 50, final["v2"]-after["v2"], "x-canary: true always reaches the canary")
	assert.Equal(t, after["v1"], final["v1"], "no header-matched request reached stable")
}
