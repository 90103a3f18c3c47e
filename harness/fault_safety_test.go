package harness

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/proctest"
	"github.com/meshlab/meshlab/reports"
	"github.com/meshlab/meshlab/scenarios"
)

// safetyFaults are one fault of each kind, each lasting longer than the run.
var safetyFaults = map[string]string{
	"network-delay": `{"apiVersion":"chaos-mesh.org/v1alpha1","kind":"NetworkChaos","metadata":{"name":"product-delay"},
		"spec":{"action":"delay","mode":"all","selector":{"labelSelectors":{"app":"product"}},"delay":{"latency":"200ms"},"duration":"60s"}}`,
	"http-abort": `{"apiVersion":"chaos-mesh.org/v1alpha1","kind":"HTTPChaos","metadata":{"name":"payment-abort"},
		"spec":{"mode":"all","selector":{"labelSelectors":{"app":"payment"}},"target":"Request","port":8080,"path":"/payments","abort":true,"duration":"60s"}}`,
	"stress": `{"apiVersion":"chaos-mesh.org/v1alpha1","kind":"StressChaos","metadata":{"name":"order-stress"},
		"spec":{"mode":"one","selector":{"labelSelectors":{"app":"order"}},"stressors":{"cpu":{"workers":1,"load":50}},"duration":"60s"}}`,
	"pod-failure": `{"apiVersion":"chaos-mesh.org/v1alpha1","kind":"PodChaos","metadata":{"name":"payment-failure"},
		"spec":{"action":"pod-failure","mode":"one","selector":{"labelSelectors":{"app":"payment"}},"duration":"60s"}}`,
}

// removalCheck is what the backend saw when the harness began to tear its mesh down: when,
// whether every fault injected had been removed, and whether every process was still alive.
type removalCheck struct {
	at         time.Time
	allRemoved bool
	injected   int
	dead       []int
	probe      int // status of a request the fault would have broken, sent through the gateway
}

// TestCancelledRunRemovesEveryFaultBeforeStopping cancels a run (the Ctrl-C path) while a fault
// meant to outlast it is active, for each kind: the fault is removed while the mesh still runs.
func TestCancelledRunRemovesEveryFaultBeforeStopping(t *testing.T) {
	for _, kind := range []string{"network-delay", "http-abort", "stress", "pod-failure"} {
		t.Run(kind, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			var seen *removalCheck
			b := &hookedBackend{afterUp: func(*hookedMesh) { time.AfterFunc(1500*time.Millisecond, cancel) }}
			opts, sc := hookedOptions(t, b)
			b.beforeDown = func(m *hookedMesh) { seen = checkRemoval(t, m, opts.Dir, kind) }
			sc.Load.Duration = scenarios.Duration{Duration: 20 * time.Second}
			sc.Faults = []scenarios.FaultSpec{{At: scenarios.Duration{Duration: 200 * time.Millisecond},
				Object: json.RawMessage(safetyFaults[kind])}}
			_, err := Run(ctx, sc, opts)
			require.ErrorIs(t, err, context.Canceled)

			require.NotNil(t, seen, "the mesh was torn down")
			assert.Equal(t, 1, seen.injected, "the fault was injected once")
			meta, err := reports.ReadMeta(opts.Dir)
			require.NoError(t, err)
			require.Len(t, meta.Faults, 1)
			f := meta.Faults[0]
			t.Logf("%s: injected %s, removed %s (%v after injection), hook %v after removal; processes dead at removal: %v; probe status %d",
				kind, f.Injected.Format(time.StampMilli), f.Removed.Format(time.StampMilli), f.Removed.Sub(f.Injected),
				seen.at.Sub(f.Removed), seen.dead, seen.probe)
			assert.False(t, f.Injected.IsZero(), "the fault was injected")
			assert.False(t, f.Removed.IsZero(), "run.json records its removal")
			assert.True(t, seen.allRemoved, "every fault removed before the mesh goes down")
			assert.Empty(t, seen.dead, "removed while every process still ran")
			if seen.probe != 0 {
				assert.Less(t, seen.probe, 300, "the request the fault broke works again")
			}
			recs, err := proctest.ReadRecords(opts.Dir)
			require.NoError(t, err)
			assert.Empty(t, proctest.Leftovers(recs, os.Getpid()))
		})
	}
}

// checkRemoval runs when the harness begins to tear the mesh down, before it goes.
func checkRemoval(t *testing.T, m *hookedMesh, dir, kind string) *removalCheck {
	rc := &removalCheck{at: time.Now()}
	rc.allRemoved, rc.injected = m.removed()
	recs, err := proctest.ReadRecords(dir)
	if err != nil {
		t.Errorf("reading processes: %v", err)
		return rc
	}
	latest := map[string]proctest.Record{}
	for _, r := range recs {
		latest[r.ID] = r
	}
	for _, r := range latest {
		heldDown := kind == "pod-failure" && strings.HasSuffix(r.ID, "/service") // restarting cold
		if !proctest.Alive(r.PID) && !heldDown {
			rc.dead = append(rc.dead, r.PID)
		}
	}
	gw := "http://" + latest["gateway"].Addrs["http"]
	cl := &http.Client{Timeout: 2 * time.Second}
	var resp *http.Response
	switch kind {
	case "http-abort":
		resp, err = cl.Post(gw+"/payments", "application/json",
			strings.NewReader(`{"amountCents":100,"currency":"USD","card":"tok_visa"}`))
	case "network-delay":
		start := time.Now()
		resp, err = cl.Get(gw + "/products/1")
		if time.Since(start) > 150*time.Millisecond {
			t.Errorf("products still delayed after removal: %v", time.Since(start))
		}
	}
	if err != nil {
		t.Errorf("probe after removal: %v", err)
	}
	if resp != nil {
		rc.probe = resp.StatusCode
		resp.Body.Close()
	}
	return rc
}
