package harness

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
)

type targetsOf []clusters.MetricsTarget

func (t targetsOf) MetricsTargets() []clusters.MetricsTarget { return t }

// ejectingProxy is a sidecar-like admin: a real proxy whose only payment endpoint answers 503
// and is ejected after one, serving its Registry's stats at GET /v1/stats as meshd does.
func ejectingProxy(t *testing.T, c *http.Client) (admin string, kill func()) {
	t.Helper()
	var opts proxy.Options
	reg := proxy.NewRegistry()
	reg.Apply(&opts)
	p := failingPayment(t, opts, policy.ServicePolicy{
		OutlierDetection: &policy.OutlierDetection{Consecutive5xxErrors: 1, MaxEjectionPercent: 100,
			BaseEjectionTime: policy.Duration{Duration: 30 * time.Second}}})
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.Serve(w, r, p.RouteFor("payment", r)) }))
	t.Cleanup(front.Close)
	send(t, c, http.MethodGet, front.URL+"/payments/1", "")

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/stats", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"resilience": reg.Stats(), "authzDenied": 0})
	})
	adm := httptest.NewServer(adminapi.RequireToken(scrapeToken, mux))
	t.Cleanup(adm.Close)
	return adm.Listener.Addr().String(), adm.Close
}

func TestMeshViewRecordsEjectionsOnceWithTheirProxy(t *testing.T) {
	t.Parallel()
	c := &http.Client{Timeout: 10 * time.Second}
	before := time.Now()
	admin, _ := ejectingProxy(t, c)
	v := &meshView{src: targetsOf{targetAt("order-0", admin)}, log: slog.New(slog.DiscardHandler)}
	v.scrape("start")
	v.scrape("end") // the proxy reports the same ejection again: recorded once
	evs := v.allEjections()
	require.Len(t, evs, 1)
	e := evs[0]
	assert.Equal(t, "order-0", e.By)
	assert.Equal(t, "payment", e.Service)
	assert.Equal(t, "payment-1", e.Endpoint)
	assert.Equal(t, 1, e.Count)
	assert.Equal(t, "consecutive-5xx", e.Reason)
	assert.Equal(t, 30*time.Second, time.Duration(e.Duration))
	assert.False(t, e.At.Before(before))
	assert.False(t, e.Until.Before(e.At.Add(30*time.Second)))
}

// TestPolledEjectionsOutliveTheirProxy: an ejection made by a proxy that dies before the run's
// last scrape (a killed pod) is still in the report, because the harness polls between scrapes.
func TestPolledEjectionsOutliveTheirProxy(t *testing.T) {
	t.Parallel()
	c := &http.Client{Timeout: 10 * time.Second}
	admin, kill := ejectingProxy(t, c)
	v := &meshView{src: targetsOf{targetAt("order-1", admin)}, log: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithCancel(context.Background())
	done := v.pollEjections(ctx, 20*time.Millisecond)
	require.Eventually(t, func() bool { return len(v.allEjections()) == 1 }, 10*time.Second, 10*time.Millisecond)
	kill()
	time.Sleep(100 * time.Millisecond) // polls against a dead proxy change nothing
	cancel()
	<-done
	v.scrape("end")
	evs := v.allEjections()
	require.Len(t, evs, 1)
	assert.Equal(t, "order-1", evs[0].By)
	assert.Equal(t, "payment-1", evs[0].Endpoint)
}
