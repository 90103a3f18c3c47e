package services

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
)

// heldItem is a reservation an order may hold: taken, or asked for without a clear refusal.
type heldItem struct {
	productID int
	id        string // reservation id, "<orderId>-<n>"
}

func (h heldItem) path() string {
	return "/products/" + strconv.Itoa(h.productID) + "/reservations"
}

// reserveAll reserves each item in turn, as reservation "<orderId>-<n>" (n from 1). It returns
// the reservations that may be held — on failure too, so they can be released — and the amount.
func (o *orders) reserveAll(ctx context.Context, tr trace, orderID string, items []orderItem) ([]heldItem, int64, *failure) {
	held := make([]heldItem, 0, len(items))
	var amount int64
	for n, it := range items {
		h := heldItem{productID: it.ProductID, id: orderID + "-" + strconv.Itoa(n+1)}
		var res reservation
		status, err := o.out.do(ctx, tr, call{
			method: http.MethodPost, host: "product", path: h.path(), key: h.id,
			body: reserveRequest{ReservationID: h.id, Quantity: it.Quantity},
			out:  &res,
		})
		if status/100 != 4 { // taken, or perhaps taken: no answer, or the answer was lost
			held = append(held, h)
		}
		if err != nil || status != http.StatusCreated {
			return held, 0, o.reserveFailed(it, status, err)
		}
		amount += res.PriceCents * it.Quantity
	}
	return held, amount, nil
}

func (o *orders) reserveFailed(it orderItem, status int, err error) *failure {
	switch status {
	case http.StatusConflict:
		return &failure{http.StatusConflict, fmt.Sprintf("product %d: not enough stock for %d", it.ProductID, it.Quantity)}
	case http.StatusNotFound:
		return &failure{http.StatusUnprocessableEntity, fmt.Sprintf("unknown product %d", it.ProductID)}
	}
	return o.dependencyFailed("product", status, err)
}

// releaseAll releases held, concurrently, and returns once each release has its answer. The
// releases outlive a canceled order request: a reservation left behind is leaked stock.
func (o *orders) releaseAll(ctx context.Context, tr trace, held []heldItem) {
	ctx = context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	for _, h := range held {
		wg.Go(func() { o.release(ctx, tr, h) })
	}
	wg.Wait()
}

func (o *orders) release(ctx context.Context, tr trace, h heldItem) {
	status, err := o.out.do(ctx, tr, call{
		method: http.MethodDelete, host: "product", path: h.path() + "/" + url.PathEscape(h.id), key: h.id,
	})
	switch {
	case err == nil && status == http.StatusNoContent:
		o.released.Add(1)
	case err == nil && status == http.StatusNotFound:
		// never taken: the reservation's own request failed before it reached the stock
	default:
		o.releaseFailures.Add(1)
		o.log.Warn("releasing a reservation failed; its stock stays held",
			"reservation", h.id, "product", h.productID, "status", status, "err", err)
	}
}
