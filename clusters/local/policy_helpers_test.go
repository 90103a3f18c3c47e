package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/mesh/adminapi"
	"github.com/meshlab/meshlab/mesh/policy"
)

// loadClient is the policy tests' client: many keep-alive connections to the gateway.
var loadClient = &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
	MaxIdleConnsPerHost: 256, MaxIdleConns: 256, DisableCompression: true}}

// outcome is what the client saw of one request.
type outcome struct {
	status int // 0: transport error
	dur    time.Duration
	hdr    http.Header
	err    error
}

// send sends one request with a JSON body and reads the answer whole.
func send(method, url string, body any, hdr map[string]string) outcome {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return outcome{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := loadClient.Do(req)
	if err != nil {
		return outcome{err: err, dur: time.Since(start)}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return outcome{status: resp.StatusCode, dur: time.Since(start), hdr: resp.Header}
}

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
		if v, err := m.SetPolicy(ctx, policy.MeshPolicy{}); err == nil {
			waitPolicy(t, m, v, 5*time.Second)
		}
	})
	waitPolicy(t, m, v, 5*time.Second)
	return v, time.Since(start)
}

// adminAddrs are the admin addresses of the gateway and every sidecar.
func adminAddrs(m *localMesh) []string {
	addrs := []string{m.gateway.Addrs()["admin"]}
	for _, p := range m.pods {
		addrs = append(addrs, p.sidecar.Addrs()["admin"])
	}
	return addrs
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

func dur(d time.Duration) policy.Duration { return policy.Duration{Duration: d} }

// servicePolicy is a policy for one service.
func servicePolicy(svc string, sp policy.ServicePolicy) policy.MeshPolicy {
	return policy.MeshPolicy{Spec: policy.Spec{Services: map[string]policy.ServicePolicy{svc: sp}}}
}
