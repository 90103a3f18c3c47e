package local

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/scenarios"
)

// chaosFault is the fault a Chaos Mesh object written in YAML describes, as the harness hands
// it to the backend with the workloads its selection picked.
func chaosFault(t *testing.T, doc string, selected []string, targets ...string) clusters.Fault {
	t.Helper()
	raw, err := yaml.YAMLToJSON([]byte(doc))
	require.NoError(t, err)
	obj, problems := scenarios.DecodeChaos(raw, "default")
	require.Empty(t, problems)
	return clusters.Fault{Fault: scenarios.FaultOf(obj), Selected: selected, Targets: targets}
}

// inject realizes a fault on the shared mesh; Cleanup removes it and waits until the mesh
// serves again.
func inject(t *testing.T, m *localMesh, f clusters.Fault) clusters.Injection {
	t.Helper()
	inj, err := m.Inject(context.Background(), f)
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, inj.Remove(context.Background()))
		waitHealthy(t, m)
	})
	return inj
}

// waitHealthy waits until every process is up and the gateway serves every service.
func waitHealthy(t *testing.T, m *localMesh) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	c := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		if allUp(m) && serves(c, m) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the mesh did not become healthy again within 15s")
}

func allUp(m *localMesh) bool {
	for _, p := range m.pods {
		if p.app.Addrs() == nil || p.sidecar.Addrs() == nil {
			return false
		}
	}
	return m.gateway.Addrs() != nil
}

func serves(c *http.Client, m *localMesh) bool {
	for _, r := range []struct{ method, path string }{
		{"GET", "/users/1"}, {"GET", "/products/1"}, {"POST", "/orders"}, {"POST", "/payments"},
	} {
		for i := 0; i < 3; i++ { // every instance of a two- or three-replica service, likely
			code, _, err := do(c, r.method, m.GatewayURL()+r.path, bodyFor(r.path, i), nil)
			if err != nil || code >= 300 {
				return false
			}
		}
	}
	return true
}

// bodyFor returns a valid request body for the POST endpoints (nil for GETs).
func bodyFor(path string, i int) any {
	switch path {
	case "/orders":
		return map[string]any{"userId": 1 + i%50, "card": "tok_visa",
			"items": []map[string]int{{"productId": 1 + i%900, "quantity": 1}}}
	case "/payments":
		return map[string]any{"amountCents": 100 + i, "currency": "USD", "card": "tok_visa"}
	}
	return nil
}

// do sends one request and returns its status and body.
func do(c *http.Client, method, url string, body any, hdr map[string]string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// sample is one client request: when it was sent, how long it took, how it ended.
type sample struct {
	sent    time.Time
	latency time.Duration
	code    int
	err     error
	body    string // of a failure
}

// measure sends n sequential requests over one keep-alive client.
func measure(t *testing.T, c *http.Client, method, url string, n int) []sample {
	t.Helper()
	out := make([]sample, 0, n)
	for i := 0; i < n; i++ {
		start := time.Now()
		code, body, err := do(c, method, url, bodyFor(pathOf(url), i), nil)
		s := sample{sent: start, latency: time.Since(start), code: code, err: err}
		if err != nil || code >= 300 {
			s.body = string(body)
			t.Logf("%s %s failed after %v: %d %v %s", method, url, s.latency, code, err, body)
		}
		out = append(out, s)
	}
	return out
}

func pathOf(url string) string {
	for _, p := range []string{"/orders", "/payments"} {
		if bytes.HasSuffix([]byte(url), []byte(p)) {
			return p
		}
	}
	return ""
}

// quantile returns the q-quantile of the samples' latencies.
func quantile(ss []sample, q float64) time.Duration {
	ds := make([]time.Duration, len(ss))
	for i, s := range ss {
		ds[i] = s.latency
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}

// failures counts samples that did not succeed, by status (0: transport error).
func failures(ss []sample) map[int]int {
	out := map[int]int{}
	for _, s := range ss {
		if s.err != nil || s.code >= 300 {
			out[s.code]++
		}
	}
	return out
}

// withPolicy applies p, waits until the gateway and every sidecar run it, and restores the
// empty policy in Cleanup.
func withPolicy(t *testing.T, m *localMesh, p policy.MeshPolicy) {
	t.Helper()
	applyFaultPolicy(t, m, p)
	t.Cleanup(func() { applyFaultPolicy(t, m, policy.MeshPolicy{}) })
}

func applyFaultPolicy(t *testing.T, m *localMesh, p policy.MeshPolicy) {
	t.Helper()
	v, err := m.SetPolicy(context.Background(), p)
	require.NoError(t, err)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if policyApplied(t, m, v) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("policy version %d not applied everywhere within 10s", v)
}

func policyApplied(t *testing.T, m *localMesh, v uint64) bool {
	procs := []*process{m.gateway}
	for _, p := range m.pods {
		procs = append(procs, p.sidecar)
	}
	for _, p := range procs {
		var cfg struct {
			PolicyVersion uint64 `json:"policyVersion"`
		}
		a := p.Addrs()
		if a == nil || adminGet(a["admin"], "/v1/config", &cfg) != nil || cfg.PolicyVersion < v {
			return false
		}
	}
	return true
}

// faultStats is a sidecar's GET /v1/faults.
type faultStats struct {
	Net struct {
		Rules []json.RawMessage `json:"rules"`
		Stats struct {
			Rules []struct {
				Name                                string
				Delayed, Lost, DuplicatedBytes      int64
				ThrottledBytes, Dropped, Blackholed int64
			}
		} `json:"stats"`
	} `json:"net"`
	HTTP struct {
		Rules []json.RawMessage `json:"rules"`
		Stats map[string]uint64 `json:"stats"`
	} `json:"http"`
}

func readFaults(t *testing.T, p *process) faultStats {
	t.Helper()
	var fs faultStats
	require.NoError(t, adminGet(p.Addrs()["admin"], "/v1/faults", &fs))
	return fs
}

// ids lists the pods of a service.
func ids(m *localMesh, service string) []string {
	var out []string
	for _, p := range m.pods {
		if p.service == service {
			out = append(out, p.id)
		}
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
