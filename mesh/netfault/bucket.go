package netfault

import (
	"sync"
	"time"
)

// bucket is a tbf token bucket shared by every connection it shapes. Tokens go negative while
// bytes wait for them; the debt is the queue, bounded by limit.
type bucket struct {
	mu     sync.Mutex
	rate   float64 // bytes per second
	size   float64 // buffer: the most tokens it holds
	limit  float64 // bytes that may wait for tokens
	tokens float64
	at     time.Time
}

func newBucket(b Bandwidth, now time.Time) *bucket {
	return &bucket{rate: float64(b.Rate), size: float64(b.Buffer), limit: float64(b.Limit),
		tokens: float64(b.Buffer), at: now}
}

// take reserves n bytes at now. It returns how long they wait for tokens, or ok false when the
// queue is full and the bytes are dropped.
func (b *bucket) take(n int, now time.Time) (wait time.Duration, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.After(b.at) {
		b.tokens = min(b.size, b.tokens+b.rate*now.Sub(b.at).Seconds())
		b.at = now
	}
	left := b.tokens - float64(n)
	if left < 0 && -left > b.limit && b.tokens < b.size {
		return 0, false
	}
	b.tokens = left
	if left >= 0 {
		return 0, true
	}
	return time.Duration(-left / b.rate * float64(time.Second)), true
}

// chunk is the largest write that passes the bucket in one piece (a packet larger than the
// buffer never passes tbf, so writes are cut like segments).
func (b *bucket) chunk() int {
	return int(max(1, min(b.size, 64<<10)))
}
