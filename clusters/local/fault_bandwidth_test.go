package local

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestFaultNetworkBandwidthAcrossConnections: one token bucket bounds all egress of the instance,
// whatever the number of connections (several clients read product-0 through its sidecar).
func TestFaultNetworkBandwidthAcrossConnections(t *testing.T) {
	m := needMesh(t)
	waitHealthy(t, m)
	p := podByID(t, m, "product-0")
	inject(t, m, chaosFault(t, `
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: {name: product-bandwidth}
spec:
  action: bandwidth
  mode: one
  selector: {labelSelectors: {app: product}}
  bandwidth: {rate: 1mbps, limit: 20000000, buffer: 100000}
`, []string{p.id}))

	const conns, window = 4, 3 * time.Second
	url := "http://" + p.sidecar.Addrs()["inbound"] + "/products?limit=500"
	ctx, cancel := context.WithTimeout(context.Background(), window)
	defer cancel()
	var total atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			readLoop(ctx, url, &total)
		}()
	}
	wg.Wait()
	rate := float64(total.Load()) / time.Since(start).Seconds()
	t.Logf("bandwidth 1mbps (1,000,000 B/s) on product-0: %d connections received %.0f B/s together over %v",
		conns, rate, time.Since(start).Round(time.Millisecond))
	assert.LessOrEqual(t, rate, 1.1e6)
	assert.GreaterOrEqual(t, rate, 0.7e6)
}

// readLoop reads url repeatedly until ctx ends, adding every body byte received to total.
func readLoop(ctx context.Context, url string, total *atomic.Int64) {
	c := &http.Client{}
	buf := make([]byte, 32<<10)
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		resp, err := c.Do(req)
		if err != nil {
			return
		}
		for {
			n, err := resp.Body.Read(buf)
			total.Add(int64(n))
			if err == io.EOF || err != nil {
				break
			}
		}
		resp.Body.Close()
	}
}
