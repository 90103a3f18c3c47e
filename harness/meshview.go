package harness

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/reports"
)

// meshView scrapes the mesh's counters (every sidecar and the gateway) at the start and end of
// every phase — the attack's start and end, each fault's injection and removal, each policy
// change — so the report can put the mesh's view beside the client's.
type meshView struct {
	src   clusters.MetricsSource
	token string
	log   *slog.Logger

	mu      sync.Mutex
	scrapes []reports.MeshScrape
}

func newMeshView(mesh clusters.Mesh, token string, log *slog.Logger) *meshView {
	src, _ := mesh.(clusters.MetricsSource)
	return &meshView{src: src, token: token, log: log}
}

// scrape records the counters now, labelled with the phase boundary it marks.
func (v *meshView) scrape(label string) {
	if v == nil || v.src == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	at := time.Now()
	counters, err := scrapeMesh(ctx, v.src.MetricsTargets(), v.token)
	if err != nil {
		v.log.Warn("scraping the mesh", "at", label, "err", err) // partial sums are still kept
	}
	if counters == nil {
		return
	}
	v.mu.Lock()
	v.scrapes = append(v.scrapes, reports.MeshScrape{At: at, Phase: label, Counters: counters})
	v.mu.Unlock()
}

func (v *meshView) all() []reports.MeshScrape {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]reports.MeshScrape(nil), v.scrapes...)
}
