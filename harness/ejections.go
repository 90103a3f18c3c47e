package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/mesh/proc"
	"github.com/meshlab/meshlab/mesh/proxy"
	"github.com/meshlab/meshlab/reports"
)

// maxStatsBytes bounds one proxy's /v1/stats answer.
const maxStatsBytes = 4 << 20

// proxyStats is the part of a proxy's GET /v1/stats the harness reads.
type proxyStats struct {
	Resilience proxy.Stats `json:"resilience"`
}

// scrapeEjections GETs /v1/stats of every target (with the run token) and returns the outlier
// ejections each proxy remembers, named by the proxy that made them. Targets that fail are
// left out and named in the error.
func scrapeEjections(ctx context.Context, targets []clusters.MetricsTarget, token string) ([]reports.EjectionEvent, error) {
	var (
		mu   sync.Mutex
		out  []reports.EjectionEvent
		errs []error
		wg   sync.WaitGroup
	)
	client := &http.Client{Timeout: scrapeTimeout}
	for _, t := range targets {
		wg.Go(func() {
			st, err := fetchStats(ctx, client, t.Admin, token)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("stats of %s (%s): %w", t.Workload, t.Admin, err))
				return
			}
			for svc, ss := range st.Resilience.Services {
				for _, e := range ss.Ejections {
					out = append(out, reports.EjectionEvent{At: e.At, Until: e.Until, Duration: reports.Duration(e.Duration),
						By: t.Workload, Service: svc, Endpoint: e.Endpoint, Count: e.Count, Reason: e.Reason})
				}
			}
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

func fetchStats(ctx context.Context, c *http.Client, admin, token string) (*proxyStats, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+admin+"/v1/stats", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(proc.TokenHeader, token)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s", resp.Status)
	}
	var st proxyStats
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxStatsBytes)).Decode(&st); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	return &st, nil
}

// ejectionKey identifies an ejection across scrapes (each proxy reports its recent ones every time).
type ejectionKey struct {
	by, service, endpoint string
	at                    int64
}

func keyOf(e reports.EjectionEvent) ejectionKey {
	return ejectionKey{e.By, e.Service, e.Endpoint, e.At.UnixNano()}
}
