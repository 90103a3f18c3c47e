package services

import (
	"sync"
	"sync/atomic"
	"time"
)

// releasedTTL is how long a released reservation id is remembered, so a late retry of its
// POST cannot take the stock again.
const releasedTTL = 10 * time.Minute

// reservation is stock held for one reservation id.
type reservation struct {
	ID         string `json:"reservationId"`
	ProductID  int    `json:"productId"`
	Quantity   int64  `json:"quantity"`
	PriceCents int64  `json:"priceCents"` // unit price, for the order's amount
}

// reserveResult is what reserve did.
type reserveResult int

const (
	reserved        reserveResult = iota // stock taken
	replayed                             // the same reservation existed: nothing taken
	mismatch                             // the id holds another product or quantity
	shortOfStock                         // not enough left
	alreadyReleased                      // the id was reserved and released before
)

// stock is one product instance's stock and reservations, in memory. Writers hold mu; readers
// of one product's stock load its counter without it.
type stock struct {
	mu       sync.Mutex
	left     []atomic.Int64 // stock of product id at id-1
	total    atomic.Int64
	held     map[string]reservation // by reservation id
	released *ageing[int]           // released reservation id → product id
	reserved atomic.Uint64          // reservations made
	freed    atomic.Uint64          // reservations released
}

func newStock(items []product) *stock {
	s := &stock{left: make([]atomic.Int64, len(items)), held: map[string]reservation{}, released: newAgeing[int](releasedTTL)}
	for i, it := range items {
		s.left[i].Store(it.stock)
		s.total.Add(it.stock)
	}
	return s
}

func (s *stock) leftOf(id int) int64 { return s.left[id-1].Load() }

// reserve takes want.Quantity of want.ProductID for want.ID, once. It returns the reservation
// held under the id (want when taken) and, on shortOfStock, what is left.
func (s *stock) reserve(want reservation) (reservation, reserveResult, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if had, ok := s.held[want.ID]; ok {
		if had.ProductID != want.ProductID || had.Quantity != want.Quantity {
			return had, mismatch, 0
		}
		return had, replayed, 0
	}
	if _, ok := s.released.get(want.ID); ok {
		return want, alreadyReleased, 0
	}
	left := &s.left[want.ProductID-1]
	if n := left.Load(); n < want.Quantity {
		return want, shortOfStock, n
	}
	left.Add(-want.Quantity)
	s.total.Add(-want.Quantity)
	s.held[want.ID] = want
	s.reserved.Add(1)
	return want, reserved, 0
}

// release gives reservation id of product productID back; releasing it again is fine. It
// reports false for an id this instance never held for productID.
func (s *stock) release(productID int, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	had, ok := s.held[id]
	if !ok || had.ProductID != productID {
		pid, gone := s.released.get(id)
		return gone && pid == productID
	}
	delete(s.held, id)
	s.left[productID-1].Add(had.Quantity)
	s.total.Add(had.Quantity)
	s.released.put(id, productID)
	s.freed.Add(1)
	return true
}

func (s *stock) stats(into map[string]any) {
	s.mu.Lock()
	into["reservations"] = len(s.held)
	s.mu.Unlock()
	into["stockTotal"] = s.total.Load()
	into["reserved"] = s.reserved.Load()
	into["released"] = s.freed.Load()
}
