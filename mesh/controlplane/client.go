package controlplane

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"
)

// Retry backoff of a Client after losing the control plane: doubling from backoffMin, capped at
// backoffMax so a returning control plane is re-synced fast.
const (
	backoffMin = 50 * time.Millisecond
	backoffMax = 500 * time.Millisecond
)

// defaultAckTimeout ends a registration stream whose server stopped acknowledging heartbeats
// without closing the connection (a hung or partitioned control plane); the client then
// re-registers.
const defaultAckTimeout = DefaultHeartbeatTTL

// Client talks to the control plane: it keeps instances registered and watches snapshots.
type Client struct {
	base       string
	hc         *http.Client
	log        *slog.Logger
	ackTimeout time.Duration
}

// NewClient returns a Client for the control plane at baseURL ("http://127.0.0.1:7000"; a bare
// host:port means http). A nil logger discards.
func NewClient(baseURL string, logger *slog.Logger) *Client {
	if !strings.Contains(baseURL, "://") {
		baseURL = "http://" + baseURL
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Client{
		base:       strings.TrimRight(baseURL, "/"),
		hc:         newHTTPClient(),
		log:        logger,
		ackTimeout: defaultAckTimeout,
	}
}

// NewClientVia is NewClient whose requests go through rt instead of a dialer of its own: a
// control plane reached by port-forward.
func NewClientVia(baseURL string, rt http.RoundTripper, logger *slog.Logger) *Client {
	c := NewClient(baseURL, logger)
	c.hc = &http.Client{Transport: rt}
	return c
}

// newHTTPClient is tuned for a control plane on loopback or a near network: never a proxy, fast
// dials, TCP keepalives that find a vanished peer, no overall timeout (streams and long polls
// bound themselves).
func newHTTPClient() *http.Client {
	dialer := &net.Dialer{
		Timeout:         2 * time.Second,
		KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: 5 * time.Second, Interval: 5 * time.Second, Count: 3},
	}
	return &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		DialContext:         dialer.DialContext,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
}

// Snapshot fetches the control plane's current snapshot once.
func (c *Client) Snapshot(ctx context.Context) (Snapshot, error) {
	return c.getSnapshot(ctx, c.base+pathSnapshot)
}

func (c *Client) getSnapshot(ctx context.Context, url string) (Snapshot, error) {
	return getJSON[Snapshot](ctx, c, url, "snapshot")
}

// getJSON GETs url and decodes its JSON answer; what names the answer in a decoding error.
func getJSON[T any](ctx context.Context, c *Client, url, what string) (T, error) {
	var v T
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return v, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return v, err
	}
	defer resp.Body.Close()
	if err := checkStatus(resp); err != nil {
		return v, err
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		var zero T
		return zero, fmt.Errorf("decoding %s: %w", what, err)
	}
	return v, nil
}

// checkStatus turns a response other than 200 into an error carrying the server's message.
func checkStatus(resp *http.Response) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return fmt.Errorf("control plane: %s: %s", resp.Status, strings.TrimSpace(string(msg)))
}

// backoff spaces retries: each wait doubles up to backoffMax, with jitter so that clients cut
// off together do not return in lockstep.
type backoff struct{ next time.Duration }

func (b *backoff) wait() time.Duration {
	d := max(b.next, backoffMin)
	b.next = min(d*2, backoffMax)
	return d/2 + rand.N(d/2+1)
}

func (b *backoff) reset() { b.next = 0 }
