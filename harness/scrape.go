package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/mesh/adminapi"
)

// Scrape limits: one target's answer, and its time when ctx sets none shorter.
const (
	maxScrapeBytes = 16 << 20
	scrapeTimeout  = 5 * time.Second
)

// meshCounter is a report counter: the sum of one metric family's series that keep matches.
type meshCounter struct {
	family string
	keep   func(labels map[string]string) bool
}

func side(s string) func(map[string]string) bool {
	return func(l map[string]string) bool { return l["side"] == s }
}

func side5xx(s string) func(map[string]string) bool {
	return func(l map[string]string) bool { return l["side"] == s && strings.HasPrefix(l["code"], "5") }
}

// meshCounters are the mesh's counters a report shows, by name. "requests" are the requests
// the proxies sent (gateway and sidecar outbound sides): tries ÷ requests is the retry
// amplification. The public side is the gateway's view of client requests; the inbound side
// sees every try that reached a sidecar, so its 5xx are what retries hid.
var meshCounters = map[string]meshCounter{
	"requests":               {adminapi.NameRequests, side(adminapi.SideOutbound)},
	"requests_5xx":           {adminapi.NameRequests, side5xx(adminapi.SideOutbound)},
	"requests_public":        {adminapi.NameRequests, side(adminapi.SidePublic)},
	"requests_public_5xx":    {adminapi.NameRequests, side5xx(adminapi.SidePublic)},
	"requests_inbound":       {adminapi.NameRequests, side(adminapi.SideInbound)},
	"requests_inbound_5xx":   {adminapi.NameRequests, side5xx(adminapi.SideInbound)},
	"tries":                  {family: adminapi.NameTries},
	"retries":                {family: adminapi.NameRetries},
	"retry_budget_exhausted": {family: adminapi.NameBudgetExhausted},
	"ejections":              {family: adminapi.NameEjections},
	"overflows":              {family: adminapi.NameOverflows},
	"rate_limited":           {family: adminapi.NameRateLimited},
	"authz_denied":           {family: adminapi.NameAuthzDenied},
	"mtls_failures":          {family: adminapi.NameMTLSFailures},
}

// scrapeMesh GETs /metrics of every target's admin API and sums the mesh counters over them;
// every counter name is in the map, 0 when no target has it. Targets that fail (a killed
// instance) are left out of the sums and named in the error; the map holds what the others
// answered.
func scrapeMesh(ctx context.Context, targets []clusters.MetricsTarget) (map[string]float64, error) {
	sums := make(map[string]float64, len(meshCounters))
	for name := range meshCounters {
		sums[name] = 0
	}
	err := fanOut(targets, func(t clusters.MetricsTarget) (map[string]*dto.MetricFamily, error) {
		return scrapeTarget(ctx, t)
	},
		func(_ clusters.MetricsTarget, families map[string]*dto.MetricFamily) { addCounters(sums, families) },
		func(t clusters.MetricsTarget) string { return fmt.Sprintf("metrics of %s (%s)", t.Workload, t.Where) })
	return sums, err
}

// fanOut fetches every target concurrently and hands each answer to keep, one at a time;
// the targets that fail are left out and their errors joined, each prefixed by name(target).
func fanOut[T, R any](targets []T, fetch func(T) (R, error), keep func(T, R), name func(T) string) error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for _, t := range targets {
		wg.Go(func() {
			r, err := fetch(t)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name(t), err))
				return
			}
			keep(t, r)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// adminGet GETs path from t's admin API, through the transport its backend gave, and hands
// read at most limit bytes of a 200 answer; any other status is an error.
func adminGet(ctx context.Context, t clusters.MetricsTarget, path, accept string, limit int64, read func(io.Reader) error) error {
	ctx, cancel := context.WithTimeout(ctx, scrapeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+t.Workload+path, nil)
	if err != nil {
		return err
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := t.Admin.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return read(io.LimitReader(resp.Body, limit))
}

// scrapeTarget fetches and parses one target's metrics, in the text format.
func scrapeTarget(ctx context.Context, t clusters.MetricsTarget) (map[string]*dto.MetricFamily, error) {
	var families map[string]*dto.MetricFamily
	err := adminGet(ctx, t, adminapi.Metrics, string(expfmt.NewFormat(expfmt.TypeTextPlain)), maxScrapeBytes,
		func(body io.Reader) (err error) {
			parser := expfmt.NewTextParser(model.UTF8Validation)
			if families, err = parser.TextToMetricFamilies(body); err != nil {
				return fmt.Errorf("parsing metrics: %w", err)
			}
			return nil
		})
	return families, err
}

// addCounters adds families' values to sums, by meshCounters.
func addCounters(sums map[string]float64, families map[string]*dto.MetricFamily) {
	for name, mc := range meshCounters {
		mf := families[mc.family]
		if mf == nil {
			continue
		}
		for _, m := range mf.GetMetric() {
			if mc.keep != nil && !mc.keep(labelsOf(m)) {
				continue
			}
			sums[name] += m.GetCounter().GetValue() + m.GetGauge().GetValue() + m.GetUntyped().GetValue()
		}
	}
}

func labelsOf(m *dto.Metric) map[string]string {
	l := make(map[string]string, len(m.GetLabel()))
	for _, p := range m.GetLabel() {
		l[p.GetName()] = p.GetValue()
	}
	return l
}
