package proxy

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
)

func TestRoundRobinSpreadsEvenly(t *testing.T) {
	t.Parallel()
	bs := []*backend{newBackend(t, "a", nil), newBackend(t, "b", nil), newBackend(t, "c", nil)}
	p := New(Options{Logger: meshtest.Logger(t)})
	p.Update(snapshot(1, bs[0].instance("svc"), bs[1].instance("svc"), bs[2].instance("svc")))
	url := front(t, p, "svc")

	for range 300 {
		require.Equal(t, http.StatusOK, meshtest.Get(t, url).Code)
	}
	for _, b := range bs {
		assert.Equal(t, 100, b.count(), "backend %s", b.name)
	}
}

func TestIdempotencyKeySticks(t *testing.T) {
	t.Parallel()
	bs := []*backend{newBackend(t, "a", nil), newBackend(t, "b", nil), newBackend(t, "c", nil)}
	p := New(Options{Logger: meshtest.Logger(t)})
	p.Update(snapshot(1, bs[0].instance("svc"), bs[1].instance("svc"), bs[2].instance("svc")))
	url := front(t, p, "svc")
	keyed := func(key string) string {
		a := meshtest.Do(t, http.MethodPost, url, "{}", http.Header{HeaderIdempotencyKey: {key}})
		require.Equal(t, http.StatusOK, a.Code)
		return a.Body
	}

	const keys = 30
	first := map[string]string{}
	for i := range keys {
		key := fmt.Sprintf("charge-%d", i)
		first[key] = keyed(key)
		for range 3 {
			assert.Equal(t, first[key], keyed(key), "key %s moved", key)
		}
	}
	assert.Len(t, valuesOf(first), 3, "30 keys spread over all three endpoints")

	gone := first["charge-0"]
	var stay []*backend
	for _, b := range bs {
		if b.name != gone {
			stay = append(stay, b)
		}
	}
	p.Update(snapshot(2, stay[0].instance("svc"), stay[1].instance("svc")))
	for key, was := range first {
		now := keyed(key)
		if was == gone {
			assert.NotEqual(t, gone, now, "key %s still on the endpoint that left", key)
		} else {
			assert.Equal(t, was, now, "key %s moved though its endpoint stayed", key)
		}
	}
}

func valuesOf(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, v := range m {
		out[v] = true
	}
	return out
}

func TestRendezvousRetryTakesNextHighest(t *testing.T) {
	t.Parallel()
	c := &Cluster{Service: "svc"}
	for _, id := range []string{"a", "b", "c", "d"} {
		c.Endpoints = append(c.Endpoints, &Endpoint{ID: id, hash: mix64(hashString(id))})
	}
	for i := range 50 {
		call := &Call{Key: fmt.Sprintf("key-%d", i)}
		var order []string
		for range 4 {
			ep := c.pick(call)
			order = append(order, ep.ID)
			call.Tried = append(call.Tried, ep)
		}
		assert.ElementsMatch(t, []string{"a", "b", "c", "d"}, order, "each try a new endpoint")
		again := &Call{Key: call.Key}
		assert.Equal(t, order[0], c.pick(again).ID, "the first choice is stable")
		assert.Equal(t, order[0], c.pick(call).ID, "all tried: back to the first choice")
	}
}
