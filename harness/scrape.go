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
	"github.com/meshlab/meshlab/mesh/proc"
	"github.com/meshlab/meshlab/mesh/telemetry"
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
	"requests":               {telemetry.NameRequests, side(telemetry.SideOutbound)},
	"requests_5xx":           {telemetry.NameRequests, side5xx(telemetry.SideOutbound)},
	"requests_public":        {telemetry.NameRequests, side(telemetry.SidePublic)},
	"requests_public_5xx":    {telemetry.NameRequests, side5xx(telemetry.SidePublic)},
	"requests_inbound":       {telemetry.NameRequests, side(telemetry.SideInbound)},
	"requests_inbound_5xx":   {telemetry.NameRequests, side5xx(telemetry.SideInbound)},
	"tries":                  {family: telemetry.NameTries},
	"retries":                {family: telemetry.NameRetries},
	"retry_budget_exhausted": {family: telemetry.NameBudgetExhausted},
	"ejections":              {family: telemetry.NameEjections},
	"overflows":              {family: telemetry.NameOverflows},
	"rate_limited":           {family: telemetry.NameRateLimited},
	"authz_denied":           {family: telemetry.NameAuthzDenied},
	"mtls_failures":          {family: telemetry.NameMTLSFailures},
}

// scrapeMesh GETs /metrics of every target's admin address (with the run token) and sums the
// mesh counters over them; every counter name is in the map, 0 when no target has it.
// Targets that fail (a killed instance) are left out of the sums and named in the error; the
// map holds what the others answered.
func scrapeMesh(ctx context.Context, targets []clusters.MetricsTarget, token string) (map[string]float64, error) {
	sums := make(map[string]float64, len(meshCounters))
	for name := range meshCounters {
		sums[name] = 0
	}
	client := &http.Client{Timeout: scrapeTimeout}
	err := fanOut(targets,
		func(t clusters.MetricsTarget) (map[string]*dto.MetricFamily, error) {
			return scrapeTarget(ctx, client, t.Admin, token)
		},
		func(_ clusters.MetricsTarget, families map[string]*dto.MetricFamily) { addCounters(sums, families) },
		func(t clusters.MetricsTarget) string { return fmt.Sprintf("metrics of %s (%s)", t.Workload, t.Admin) })
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

// adminGet GETs http://<admin><path> with the run token and hands read at most limit bytes
// of a 200 answer; any other status is an error.
func adminGet(ctx context.Context, c *http.Client, admin, path, token, accept string, limit int64, read func(io.Reader) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+admin+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set(proc.TokenHeader, token)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := c.Do(req)
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
func scrapeTarget(ctx context.Context, c *http.Client, target, token string) (map[string]*dto.MetricFamily, error) {
	var families map[string]*dto.MetricFamily
	err := adminGet(ctx, c, target, "/metrics", token, string(expfmt.NewFormat(expfmt.TypeTextPlain)), maxScrapeBytes,
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
