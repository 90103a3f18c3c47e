package services

import "time"

// ageing is a map whose entries are forgotten between ttl and 2×ttl after they were put: two
// generations, the older dropped when the newer is ttl old. It bounds the memory of records
// that only matter while a client may still retry (idempotency records, released
// reservations). The caller serialises access.
type ageing[V any] struct {
	ttl       time.Duration
	cur, prev map[string]V
	since     time.Time // when cur became the current generation
}

func newAgeing[V any](ttl time.Duration) *ageing[V] {
	return &ageing[V]{ttl: ttl, cur: map[string]V{}, prev: map[string]V{}, since: time.Now()}
}

func (a *ageing[V]) get(k string) (V, bool) {
	if v, ok := a.cur[k]; ok {
		return v, true
	}
	v, ok := a.prev[k]
	return v, ok
}

func (a *ageing[V]) put(k string, v V) {
	if now := time.Now(); now.Sub(a.since) >= a.ttl {
		a.prev, a.cur, a.since = a.cur, make(map[string]V, len(a.cur)), now
	}
	delete(a.prev, k)
	a.cur[k] = v
}

func (a *ageing[V]) delete(k string) {
	delete(a.cur, k)
	delete(a.prev, k)
}

func (a *ageing[V]) len() int { return len(a.cur) + len(a.prev) }
