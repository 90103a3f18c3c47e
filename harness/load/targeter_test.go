package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/scenarios"
)

const testGateway = "http://gateway.test:8080"

// draw makes n calls of tr in order.
func draw(t *testing.T, tr vegeta.Targeter, n int) []vegeta.Target {
	t.Helper()
	out := make([]vegeta.Target, n)
	for i := range out {
		require.NoError(t, tr(&out[i]))
	}
	return out
}

// routeOf names the route of a target the way scenarios.Routes does.
func routeOf(tg vegeta.Target) string {
	u, err := url.Parse(tg.URL)
	if err != nil {
		return "bad URL " + tg.URL
	}
	switch path := u.Path; {
	case path == "/products" && tg.Method == http.MethodGet:
		return "GET /products"
	case strings.HasPrefix(path, "/users/"), strings.HasPrefix(path, "/products/"):
		return tg.Method + " " + path[:strings.LastIndexByte(path, '/')] + "/{id}"
	default:
		return tg.Method + " " + path
	}
}

func key(tg vegeta.Target) string {
	return fmt.Sprintf("%s %s %s %v", tg.Method, tg.URL, tg.Body, tg.Header)
}

func TestTargeterDeterministic(t *testing.T) {
	t.Parallel()
	const n = 2000
	want := draw(t, NewTargeter(testGateway, nil, 42), n)

	t.Run("same seed, same sequence", func(t *testing.T) {
		t.Parallel()
		assert.Equal(t, want, draw(t, NewTargeter(testGateway, nil, 42), n))
	})
	t.Run("another seed, another sequence", func(t *testing.T) {
		t.Parallel()
		other := draw(t, NewTargeter(testGateway, nil, 43), n)
		same := 0
		for i := range other {
			if key(other[i]) == key(want[i]) {
				same++
			}
		}
		assert.Less(t, same, n/10)
	})
	t.Run("concurrent calls, same requests", func(t *testing.T) {
		t.Parallel()
		tr := NewTargeter(testGateway, nil, 42)
		got := make([][]string, 8)
		var wg sync.WaitGroup
		for w := range got {
			wg.Go(func() {
				for range n / len(got) {
					var tg vegeta.Target
					if assert.NoError(t, tr(&tg)) {
						got[w] = append(got[w], key(tg))
					}
				}
			})
		}
		wg.Wait()
		var all, wantKeys []string
		for _, g := range got {
			all = append(all, g...)
		}
		for _, tg := range want {
			wantKeys = append(wantKeys, key(tg))
		}
		slices.Sort(all)
		slices.Sort(wantKeys)
		assert.Equal(t, wantKeys, all)
	})
}

func TestTargeterWeights(t *testing.T) {
	t.Parallel()
	const n = 10000
	for _, tt := range []struct {
		name string
		mix  []scenarios.RouteWeight
	}{
		{"default mix", nil},
		{"skewed mix with a silent route", []scenarios.RouteWeight{
			{Route: "GET /users/{id}", Weight: 1},
			{Route: "POST /payments", Weight: 3},
			{Route: "POST /orders", Weight: 0},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mix := cmpOr(tt.mix, scenarios.DefaultMix)
			counts := map[string]int{}
			for _, tg := range draw(t, NewTargeter(testGateway, tt.mix, 7), n) {
				counts[routeOf(tg)]++
			}
			var total, chi2 float64
			for _, rw := range mix {
				total += rw.Weight
			}
			df := -1
			for _, rw := range mix {
				expected := n * rw.Weight / total
				if expected == 0 {
					assert.Zero(t, counts[rw.Route], "route %s has no weight", rw.Route)
					continue
				}
				df++
				d := float64(counts[rw.Route]) - expected
				chi2 += d * d / expected
				delete(counts, rw.Route)
			}
			assert.Empty(t, counts, "routes outside the mix")
			// Critical values of χ² at p = 0.001.
			critical := map[int]float64{1: 10.83, 4: 18.47}[df]
			assert.Less(t, chi2, critical, "χ² with %d degrees of freedom", df)
		})
	}
}

func cmpOr[T any](a, b []T) []T {
	if len(a) > 0 {
		return a
	}
	return b
}

func TestTargeterRequests(t *testing.T) {
	t.Parallel()
	keys := map[string]bool{}
	for i, tg := range draw(t, NewTargeter(testGateway+"/", nil, 3), 5000) {
		require.True(t, strings.HasPrefix(tg.URL, testGateway+"/") && !strings.HasPrefix(tg.URL, testGateway+"//"), tg.URL)
		u, err := url.Parse(tg.URL)
		require.NoError(t, err)
		id := func() int {
			n, err := strconv.Atoi(u.Path[strings.LastIndexByte(u.Path, '/')+1:])
			require.NoError(t, err, tg.URL)
			return n
		}
		switch route := routeOf(tg); route {
		case "GET /users/{id}":
			assert.True(t, between(id(), 1, 1000), tg.URL)
		case "GET /products/{id}":
			assert.True(t, between(id(), 1, 10000), tg.URL)
		case "GET /products":
			limit, err := strconv.Atoi(u.Query().Get("limit"))
			require.NoError(t, err, tg.URL)
			assert.True(t, between(limit, 10, 50), tg.URL)
		case "POST /orders":
			var o order
			decodeStrict(t, tg, &o)
			assert.True(t, between(o.UserID, 1, 1000))
			assert.True(t, between(len(o.Items), 1, 3), "%d items", len(o.Items))
			seen := map[int]bool{}
			for _, it := range o.Items {
				assert.True(t, between(it.ProductID, 1, 10000) && between(it.Quantity, 1, 2), "%+v", it)
				assert.False(t, seen[it.ProductID], "product %d twice", it.ProductID)
				seen[it.ProductID] = true
			}
			assert.Equal(t, "tok_visa", o.Card)
		case "POST /payments":
			var p payment
			decodeStrict(t, tg, &p)
			assert.True(t, p.AmountCents > 0 && p.Currency == "USD" && p.Card == "tok_visa", "%+v", p)
			k := tg.Header.Get("Idempotency-Key")
			assert.NotEmpty(t, k)
			assert.False(t, keys[k], "key %q of call %d reused", k, i)
			keys[k] = true
		default:
			t.Fatalf("unexpected route %q", route)
		}
	}
	assert.NotEmpty(t, keys)
}

func between(n, lo, hi int) bool { return lo <= n && n <= hi }

func decodeStrict(t *testing.T, tg vegeta.Target, v any) {
	t.Helper()
	assert.Equal(t, "application/json", tg.Header.Get("Content-Type"))
	dec := json.NewDecoder(bytes.NewReader(tg.Body))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v), "%s", tg.Body)
}

func TestTargeterInvalidMix(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		mix  []scenarios.RouteWeight
	}{
		{"unknown route", []scenarios.RouteWeight{{Route: "GET /nope", Weight: 1}}},
		{"negative weight", []scenarios.RouteWeight{{Route: "POST /orders", Weight: -1}}},
		{"no weight", []scenarios.RouteWeight{{Route: "POST /orders", Weight: 0}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var tg vegeta.Target
			assert.ErrorIs(t, NewTargeter(testGateway, tt.mix, 1)(&tg), ErrInvalidMix)
		})
	}
}

func TestTargeterCoversRoutes(t *testing.T) {
	t.Parallel()
	for _, route := range scenarios.Routes {
		tr := NewTargeter(testGateway, []scenarios.RouteWeight{{Route: route, Weight: 1}}, 1)
		for _, tg := range draw(t, tr, 20) {
			assert.Equal(t, route, routeOf(tg))
		}
	}
}
