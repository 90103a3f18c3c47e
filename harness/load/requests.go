package load

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Shapes of the requests the targeter builds, within what mesh/services serves.
const (
	maxUserID    = 1000  // users 1..1000 exist
	maxProductID = 10000 // products 1..10000 exist
	minListLimit = 10
	maxListLimit = 50
	maxItems     = 3 // items per order
	maxQuantity  = 2 // per item
	minAmount    = 100
	maxAmount    = 50000 // cents per payment
	testCard     = "tok_visa"
)

// call is one call of a targeter: its index and its own random source.
type call struct {
	base string
	seed uint64
	k    uint64
	rng  *rand.Rand
}

// builder fills t with a request of one route.
type builder func(c *call, t *vegeta.Target) error

// builders by route, as scenarios.Routes names them.
var builders = map[string]builder{
	"GET /users/{id}":    getUser,
	"GET /products/{id}": getProduct,
	"GET /products":      listProducts,
	"POST /orders":       postOrder,
	"POST /payments":     postPayment,
}

func getUser(c *call, t *vegeta.Target) error {
	t.Method, t.URL = http.MethodGet, c.base+"/users/"+strconv.Itoa(c.between(1, maxUserID))
	return nil
}

func getProduct(c *call, t *vegeta.Target) error {
	t.Method, t.URL = http.MethodGet, c.base+"/products/"+strconv.Itoa(c.between(1, maxProductID))
	return nil
}

func listProducts(c *call, t *vegeta.Target) error {
	t.Method = http.MethodGet
	t.URL = c.base + "/products?limit=" + strconv.Itoa(c.between(minListLimit, maxListLimit))
	return nil
}

type orderItem struct {
	ProductID int `json:"productId"`
	Quantity  int `json:"quantity"`
}

type order struct {
	UserID int         `json:"userId"`
	Items  []orderItem `json:"items"`
	Card   string      `json:"card"`
}

func postOrder(c *call, t *vegeta.Target) error {
	o := order{UserID: c.between(1, maxUserID), Card: testCard}
	for n := c.between(1, maxItems); len(o.Items) < n; {
		id := c.between(1, maxProductID)
		if !o.has(id) {
			o.Items = append(o.Items, orderItem{ProductID: id, Quantity: c.between(1, maxQuantity)})
		}
	}
	return c.post(t, "/orders", o, nil)
}

func (o *order) has(productID int) bool {
	for _, it := range o.Items {
		if it.ProductID == productID {
			return true
		}
	}
	return false
}

type payment struct {
	AmountCents int    `json:"amountCents"`
	Currency    string `json:"currency"`
	Card        string `json:"card"`
}

func postPayment(c *call, t *vegeta.Target) error {
	p := payment{AmountCents: c.between(minAmount, maxAmount), Currency: "USD", Card: testCard}
	key := fmt.Sprintf("meshlab-%016x-%d", c.seed, c.k)
	return c.post(t, "/payments", p, http.Header{"Idempotency-Key": {key}})
}

// post fills t with a JSON POST of body to path, with the extra headers h.
func (c *call) post(t *vegeta.Target, path string, body any, h http.Header) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encoding %s body: %w", path, err)
	}
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/json")
	t.Method, t.URL, t.Body, t.Header = http.MethodPost, c.base+path, b, h
	return nil
}

// between draws uniformly from lo..hi, both included.
func (c *call) between(lo, hi int) int { return lo + c.rng.IntN(hi-lo+1) }
