package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/reports"
)

// maxStatsBytes bounds one proxy's /v1/stats answer.
const maxStatsBytes = 4 << 20

// scrapeEjections GETs /v1/stats of every target's admin API and returns the outlier ejections
// each proxy remembers, named by the proxy that made them. Targets that fail are left out and
// named in the error.
func scrapeEjections(ctx context.Context, targets []clusters.MetricsTarget) ([]reports.EjectionEvent, error) {
	var out []reports.EjectionEvent
	err := fanOut(targets,
		func(t clusters.MetricsTarget) (*adminapi.StatsView, error) {
			var st adminapi.StatsView
			return &st, adminGet(ctx, t, adminapi.Stats, "", maxStatsBytes, func(body io.Reader) error {
				if err := json.NewDecoder(body).Decode(&st); err != nil {
					return fmt.Errorf("decoding: %w", err)
				}
				return nil
			})
		},
		func(t clusters.MetricsTarget, st *adminapi.StatsView) {
			for svc, ss := range st.Resilience.Services {
				for _, e := range ss.Ejections {
					out = append(out, reports.EjectionEvent{At: e.At, Until: e.Until, Duration: reports.Duration(e.Duration),
						By: t.Workload, Service: svc, Endpoint: e.Endpoint, Count: e.Count, Reason: e.Reason})
				}
			}
		},
		func(t clusters.MetricsTarget) string { return fmt.Sprintf("stats of %s (%s)", t.Workload, t.Where) })
	return out, err
}

// ejectionKey identifies an ejection across scrapes (each proxy reports its recent ones every time).
type ejectionKey struct {
	by, service, endpoint string
	at                    int64
}

func keyOf(e reports.EjectionEvent) ejectionKey {
	return ejectionKey{e.By, e.Service, e.Endpoint, e.At.UnixNano()}
}
