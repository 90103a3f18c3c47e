package harness

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/reports"
)

// meshView scrapes the mesh's counters (every sidecar and the gateway) at the start and end of
// every phase — the attack's start and end, each fault's injection and removal, each policy
// change — so the report can put the mesh's view beside the client's.
type meshView struct {
	src clusters.MetricsSource
	log *slog.Logger

	mu        sync.Mutex
	scrapes   []reports.MeshScrape
	ejections []reports.EjectionEvent
	seen      map[ejectionKey]bool
}

func newMeshView(mesh clusters.Mesh, log *slog.Logger) *meshView {
	src, _ := mesh.(clusters.MetricsSource)
	return &meshView{src: src, log: log}
}

// scrape records the counters now, labelled with the phase boundary it marks.
func (v *meshView) scrape(label string) {
	if v == nil || v.src == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	at := time.Now()
	targets := v.src.MetricsTargets()
	var (
		counters map[string]float64
		evs      []reports.EjectionEvent
		wg       sync.WaitGroup
	)
	wg.Go(func() {
		var err error
		if counters, err = scrapeMesh(ctx, targets); err != nil {
			v.log.Warn("scraping the mesh", "at", label, "err", err) // partial sums are still kept
		}
	})
	wg.Go(func() {
		var err error
		if evs, err = scrapeEjections(ctx, targets); err != nil {
			v.log.Warn("reading the proxies' ejections", "at", label, "err", err)
		}
	})
	wg.Wait()
	v.mu.Lock()
	defer v.mu.Unlock()
	if counters != nil {
		v.scrapes = append(v.scrapes, reports.MeshScrape{At: at, Phase: label, Counters: counters})
	}
	v.addEjectionsLocked(evs)
}

// ejectionPollEvery is how often pollEjections reads the proxies' ejections between scrapes.
const ejectionPollEvery = 2 * time.Second

// pollEjections reads the proxies' ejections every interval until ctx ends, so an ejection
// made by a proxy that dies before the next phase boundary (a killed pod) is not lost.
// It returns at once; done closes when it stopped.
func (v *meshView) pollEjections(ctx context.Context, every time.Duration) (done <-chan struct{}) {
	d := make(chan struct{})
	if v == nil || v.src == nil {
		close(d)
		return d
	}
	go func() {
		defer close(d)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			pctx, cancel := context.WithTimeout(ctx, every)
			evs, _ := scrapeEjections(pctx, v.src.MetricsTargets()) // a dead target is expected here
			cancel()
			v.mu.Lock()
			v.addEjectionsLocked(evs)
			v.mu.Unlock()
		}
	}()
	return d
}

// addEjectionsLocked records the ejections not seen before; v.mu is held.
func (v *meshView) addEjectionsLocked(evs []reports.EjectionEvent) {
	for _, e := range evs {
		if k := keyOf(e); !v.seen[k] {
			if v.seen == nil {
				v.seen = map[ejectionKey]bool{}
			}
			v.seen[k] = true
			v.ejections = append(v.ejections, e)
		}
	}
}

// allEjections are the ejections seen so far, in the order they were first seen.
func (v *meshView) allEjections() []reports.EjectionEvent {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.ejections)
}

func (v *meshView) all() []reports.MeshScrape {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]reports.MeshScrape(nil), v.scrapes...)
}
