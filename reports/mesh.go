package reports

import (
	"slices"
	"time"
)

// MeshView is what the sidecars counted over a span, beside what the client saw: a mesh
// success rate below the client's is what retries hid.
type MeshView struct {
	From     time.Time    `json:"from"` // the scrapes the deltas are taken between
	To       time.Time    `json:"to"`
	Counters MeshCounters `json:"counters"`
	// SuccessPercent is 1 − requests_5xx ÷ requests, on 0–100; null without requests.
	SuccessPercent *float64 `json:"successPercent"`
	// RetriesPerRequest is retries ÷ requests; null without requests.
	RetriesPerRequest *float64 `json:"retriesPerRequest"`
}

// MeshCounters are the increases of the sidecars' counters over a span.
type MeshCounters struct {
	Requests             float64 `json:"requests"`
	Requests5xx          float64 `json:"requests5xx"`
	Retries              float64 `json:"retries"`
	RetryBudgetExhausted float64 `json:"retryBudgetExhausted"`
	Ejections            float64 `json:"ejections"`
	Overflows            float64 `json:"overflows"`
	RateLimited          float64 `json:"rateLimited"`
	AuthzDenied          float64 `json:"authzDenied"`
	MTLSFailures         float64 `json:"mtlsFailures"`
}

// meshBetween is the counters' increase from the last scrape at or before from to the first
// at or after to (the last scrape, if none is); nil without two such scrapes.
func meshBetween(scrapes []MeshScrape, from, to time.Time) *MeshView {
	s := slices.Clone(scrapes)
	slices.SortStableFunc(s, func(x, y MeshScrape) int { return x.At.Compare(y.At) })
	ia := -1
	for i := range s {
		if !s[i].At.After(from) {
			ia = i
		}
	}
	ib := slices.IndexFunc(s, func(x MeshScrape) bool { return !x.At.Before(to) })
	if ib < 0 {
		ib = len(s) - 1
	}
	if ia < 0 || ib <= ia {
		return nil
	}
	a, b := s[ia], s[ib]
	d := func(k string) float64 { return b.Counters[k] - a.Counters[k] }
	v := &MeshView{From: a.At.UTC(), To: b.At.UTC(), Counters: MeshCounters{
		Requests: d("requests"), Requests5xx: d("requests_5xx"), Retries: d("retries"),
		RetryBudgetExhausted: d("retry_budget_exhausted"), Ejections: d("ejections"), Overflows: d("overflows"),
		RateLimited: d("rate_limited"), AuthzDenied: d("authz_denied"), MTLSFailures: d("mtls_failures"),
	}}
	if c := v.Counters; c.Requests > 0 {
		succ := round6(100 - c.Requests5xx*100/c.Requests)
		amp := round6(c.Retries / c.Requests)
		v.SuccessPercent, v.RetriesPerRequest = &succ, &amp
	}
	return v
}
