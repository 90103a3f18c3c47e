package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/scenarios"
)

// The meshes.

// upPrivate brings up a mesh of spec for one test that the shared mesh cannot serve; it is
// taken down when the test ends, unless the test did.
func upPrivate(t *testing.T, spec clusters.Spec) *localMesh {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mesh, err := New(Options{Meshd: shared.meshd, Logger: testLogger()}).Up(ctx, spec)
	require.NoError(t, err)
	m := mesh.(*localMesh)
	t.Cleanup(func() { m.Down(context.Background()) })
	return m
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

// Requests.

// client is the tests' client for single requests.
var client = &http.Client{Timeout: 10 * time.Second}

// loadClient is the policy tests' client: many keep-alive connections to the gateway.
var loadClient = &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
	MaxIdleConnsPerHost: 256, MaxIdleConns: 256, DisableCompression: true}}

// roundTrip sends one request with c, its body (nil: none) as JSON, and reads the whole answer.
func roundTrip(c *http.Client, method, url string, body any, hdr map[string]string) (*http.Response, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp, raw, err
}

// call sends one request with client and decodes a JSON answer into out (when non-nil); an
// error fails the test.
func call(t *testing.T, method, url string, body any, hdr map[string]string, out any) *http.Response {
	t.Helper()
	resp, raw, err := roundTrip(client, method, url, body, hdr)
	require.NoError(t, err)
	if out != nil && len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, out), "body: %s", raw)
	}
	return resp
}

// do sends one request with c and returns its status (0: none) and body.
func do(c *http.Client, method, url string, body any, hdr map[string]string) (int, []byte, error) {
	resp, raw, err := roundTrip(c, method, url, body, hdr)
	if resp == nil {
		return 0, nil, err
	}
	return resp.StatusCode, raw, err
}

// outcome is what the client saw of one request.
type outcome struct {
	status int // 0: transport error
	dur    time.Duration
	hdr    http.Header
	err    error
}

// send sends one request with loadClient and times it, the answer read whole.
func send(method, url string, body any, hdr map[string]string) outcome {
	start := time.Now()
	resp, _, err := roundTrip(loadClient, method, url, body, hdr)
	if resp == nil {
		return outcome{err: err, dur: time.Since(start)}
	}
	return outcome{status: resp.StatusCode, dur: time.Since(start), hdr: resp.Header}
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

func pathOf(url string) string {
	for _, p := range []string{"/orders", "/payments"} {
		if bytes.HasSuffix([]byte(url), []byte(p)) {
			return p
		}
	}
	return ""
}

// payBody is a payment request.
var payBody = map[string]any{"amountCents": 1200, "currency": "USD", "card": "tok_visa"}

// payKey is a fresh Idempotency-Key header.
func payKey(prefix string, i int) map[string]string {
	return map[string]string{"Idempotency-Key": fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano(), i)}
}

// orderBody is an order of one unit of a product spread over the catalogue.
func orderBody(i int) map[string]any {
	return map[string]any{"userId": 1 + i%1000, "card": "tok_visa",
		"items": []map[string]int{{"productId": 1 + (i*37)%10000, "quantity": 1}}}
}

// What the clients saw.

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

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fire runs n requests on workers concurrent loops.
func fire(n, workers int, do func(i int) outcome) []outcome {
	out := make([]outcome, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				out[i] = do(i)
			}
		}()
	}
	wg.Wait()
	return out
}

// paced starts rate requests a second for d, each in its own goroutine (an open loop).
func paced(rate float64, d time.Duration, do func(i int) outcome) []outcome {
	n := int(rate * d.Seconds())
	out := make([]outcome, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		time.Sleep(time.Until(start.Add(time.Duration(float64(i) / rate * float64(time.Second)))))
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = do(i)
		}()
	}
	wg.Wait()
	return out
}

// count returns how many outcomes ok accepts.
func count(outs []outcome, ok func(outcome) bool) int {
	n := 0
	for _, o := range outs {
		if ok(o) {
			n++
		}
	}
	return n
}

func failed(o outcome) bool { return o.err != nil || o.status >= 500 }

// Faults.

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

// firstAffected runs a sequential loop of method url requests with c, injects f after 100 ms,
// keeps the loop going for 500 ms more and removes f. It returns how long after the Inject call
// the first request that affected accepts was sent (0 if one sent before was already affected),
// and false when none was.
func firstAffected(t *testing.T, m *localMesh, c *http.Client, method, url string, f clusters.Fault,
	affected func(sample) bool) (time.Duration, bool) {
	t.Helper()
	var mu sync.Mutex
	var ss []sample
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			s := measure(t, c, method, url, 1)
			mu.Lock()
			ss = append(ss, s...)
			mu.Unlock()
		}
	}()
	time.Sleep(100 * time.Millisecond)
	injected := time.Now()
	inj, err := m.Inject(t.Context(), f)
	if err != nil {
		close(stop)
		<-done
		require.NoError(t, err)
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	<-done
	require.NoError(t, inj.Remove(t.Context()))
	for _, s := range ss {
		if affected(s) {
			return max(0, s.sent.Sub(injected)), true
		}
	}
	return 0, false
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

// Policies.

// applyPolicy sets p, waits until every sidecar and the gateway run it, restores the default
// policy at cleanup, and returns the version and how long the rollout took.
func applyPolicy(t *testing.T, m *localMesh, p policy.MeshPolicy) (uint64, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	v, err := m.SetPolicy(ctx, p)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		v, err := m.SetPolicy(ctx, policy.MeshPolicy{})
		require.NoError(t, err)
		waitPolicy(t, m, v, 10*time.Second)
	})
	waitPolicy(t, m, v, 10*time.Second)
	return v, time.Since(start)
}

// waitPolicy polls every admin's GET /v1/policy until all show version v (or later).
func waitPolicy(t *testing.T, m *localMesh, v uint64, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for _, a := range adminAddrs(m) {
		for {
			var pv struct{ Version uint64 }
			if adminGet(a, "/v1/policy", &pv) == nil && pv.Version >= v {
				break
			}
			require.True(t, time.Now().Before(deadline), "%s never reached policy version %d", a, v)
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// adminAddrs are the admin addresses of the gateway and every sidecar.
func adminAddrs(m *localMesh) []string {
	addrs := []string{m.gateway.Addrs()["admin"]}
	for _, p := range m.pods {
		addrs = append(addrs, p.sidecar.Addrs()["admin"])
	}
	return addrs
}

func dur(d time.Duration) policy.Duration { return policy.Duration{Duration: d} }

// servicePolicy is a policy for one service.
func servicePolicy(svc string, sp policy.ServicePolicy) policy.MeshPolicy {
	return policy.MeshPolicy{Spec: policy.Spec{Services: map[string]policy.ServicePolicy{svc: sp}}}
}

// The admin API.

// adminGet decodes an admin endpoint's JSON answer.
func adminGet(addr, path string, out any) error {
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	req.Header.Set(adminapi.TokenHeader, shared.spec.Token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// adminPut sends a JSON body to an admin endpoint.
func adminPut(t *testing.T, addr, path string, body any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPut, "http://"+addr+path, bytes.NewReader(b))
	req.Header.Set(adminapi.TokenHeader, shared.spec.Token)
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "PUT %s", path)
}

func statsOf(t *testing.T, adminAddr string) adminapi.StatsView {
	t.Helper()
	var s adminapi.StatsView
	require.NoError(t, adminGet(adminAddr, "/v1/stats", &s))
	return s
}

// appRequests returns the request counter of every instance of service, by pod id.
func appRequests(t *testing.T, m *localMesh, service string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, p := range m.pods {
		if p.service != service {
			continue
		}
		var st struct{ Requests int }
		require.NoError(t, adminGet(p.app.Addrs()["http"], "/internal/stats", &st))
		out[p.id] = st.Requests
	}
	return out
}
