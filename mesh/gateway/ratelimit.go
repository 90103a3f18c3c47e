package gateway

import (
	"container/list"
	"fmt"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/meshlab/meshlab/mesh/policy"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// Reasons of the gateway's edge answers (X-Meshlab-Reason).
const (
	ReasonRateLimited     = "rate-limited"      // 429: a rate limit's bucket is empty
	ReasonUnauthenticated = "unauthenticated"   // 401: missing or unknown X-API-Key
	ReasonTooLarge        = "request-too-large" // 413: the body is over MaxRequestBytes
)

// HeaderAPIKey carries a client's API key; it also keys per-client rate limits.
const HeaderAPIKey = "X-API-Key"

// DefaultMaxClients bounds the per-client buckets a rate limit keeps (least recently used
// dropped first).
const DefaultMaxClients = 10000

// RateLimiter enforces the gateway policy's RateLimits as token buckets. The first limit whose
// route matches a request applies. When the policy's limits change, every bucket starts full.
type RateLimiter struct {
	// Policy returns the policy in force; nil (or a nil result): no limits.
	Policy func() *policy.GatewayPolicy
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// MaxClients bounds the per-client buckets of each limit; 0: DefaultMaxClients.
	MaxClients int
	// OnLimited, when set, is called for every refused request (metrics), with the limit's route.
	OnLimited func(r *http.Request, route string)

	mu     sync.Mutex
	limits []policy.RateLimit // the limits the buckets belong to
	states []*limitState
}

// RateLimit returns the rate-limit middleware for the policy get returns.
func RateLimit(get func() *policy.GatewayPolicy) func(http.Handler) http.Handler {
	return (&RateLimiter{Policy: get}).Wrap
}

// Wrap returns next behind the rate limits.
func (l *RateLimiter) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, route, wait := l.allow(r)
		if ok {
			next.ServeHTTP(w, r)
			return
		}
		if l.OnLimited != nil {
			l.OnLimited(r, route)
		}
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter(wait)))
		proxy.WriteError(w, http.StatusTooManyRequests, ReasonRateLimited,
			fmt.Sprintf("rate limit of route %q exceeded", route))
	})
}

// allow takes a token from the bucket of r's limit; when there is none it returns the limit's
// route and the time until the next token.
func (l *RateLimiter) allow(r *http.Request) (bool, string, time.Duration) {
	var gp *policy.GatewayPolicy
	if l.Policy != nil {
		gp = l.Policy()
	}
	if gp == nil || len(gp.RateLimits) == 0 {
		return true, "", 0
	}
	i := slices.IndexFunc(gp.RateLimits, func(rl policy.RateLimit) bool {
		return rl.Route == "*" || policy.RouteMatches(rl.Route, r.Method, r.URL.Path)
	})
	if i < 0 {
		return true, "", 0
	}
	rl := gp.RateLimits[i]
	if rl.RequestsPerSecond <= 0 {
		return true, "", 0
	}
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !slices.Equal(l.limits, gp.RateLimits) {
		l.limits = slices.Clone(gp.RateLimits)
		l.states = make([]*limitState, len(l.limits))
	}
	if l.states[i] == nil {
		l.states[i] = newLimitState(rl, l.MaxClients)
	}
	key := ""
	if rl.PerClient {
		key = clientKey(r)
	}
	ok, wait := l.states[i].bucket(key, now).take(now)
	return ok, rl.Route, wait
}

// retryAfter is a wait in whole seconds, rounded up, at least 1.
func retryAfter(wait time.Duration) int {
	return max(1, int(math.Ceil(wait.Seconds())))
}

// clientKey identifies a client: its API key, else its IP address.
func clientKey(r *http.Request) string {
	if k := r.Header.Get(HeaderAPIKey); k != "" {
		return "key:" + k
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return "ip:" + ip
}

// limitState holds one limit's buckets: one shared, or one per client key in LRU order.
type limitState struct {
	rate, burst float64
	max         int
	byKey       map[string]*list.Element // of *keyed
	lru         list.List                // front: most recently used
}

type keyed struct {
	key string
	b   tokenBucket
}

func newLimitState(rl policy.RateLimit, maxClients int) *limitState {
	burst := float64(rl.Burst)
	if rl.Burst <= 0 {
		burst = max(1, rl.RequestsPerSecond)
	}
	if maxClients <= 0 {
		maxClients = DefaultMaxClients
	}
	return &limitState{rate: rl.RequestsPerSecond, burst: burst, max: maxClients, byKey: map[string]*list.Element{}}
}

// bucket returns key's bucket, a full new one when unknown, dropping the least recently used
// when over the bound.
func (s *limitState) bucket(key string, now time.Time) *tokenBucket {
	if e, ok := s.byKey[key]; ok {
		s.lru.MoveToFront(e)
		return &e.Value.(*keyed).b
	}
	k := &keyed{key: key, b: tokenBucket{rate: s.rate, burst: s.burst, tokens: s.burst, last: now}}
	s.byKey[key] = s.lru.PushFront(k)
	for s.lru.Len() > s.max {
		old := s.lru.Remove(s.lru.Back()).(*keyed)
		delete(s.byKey, old.key)
	}
	return &k.b
}

// tokenBucket refills at rate tokens a second up to burst.
type tokenBucket struct {
	rate, burst, tokens float64
	last                time.Time
}

// take takes one token; without one it returns the time until one is there.
func (b *tokenBucket) take(now time.Time) (bool, time.Duration) {
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(b.burst, b.tokens+dt*b.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}
