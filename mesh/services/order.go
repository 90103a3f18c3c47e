package services

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
)

// Order rules.
const (
	maxOrderItems = 100
	orderCurrency = "USD"
)

// orderItem is one line of an order.
type orderItem struct {
	ProductID int   `json:"productId"`
	Quantity  int64 `json:"quantity"`
}

// orderRequest is the body of POST /orders.
type orderRequest struct {
	UserID int         `json:"userId"`
	Items  []orderItem `json:"items"`
	Card   string      `json:"card"`
}

// check returns why req is a bad request, or "".
func (req orderRequest) check() string {
	switch {
	case req.UserID < 1:
		return "userId must be a positive integer"
	case len(req.Items) < 1 || len(req.Items) > maxOrderItems:
		return fmt.Sprintf("an order has 1..%d items", maxOrderItems)
	case req.Card == "":
		return "card is required"
	}
	for i, it := range req.Items {
		if it.ProductID < 1 || it.Quantity < 1 || it.Quantity > maxQuantity {
			return fmt.Sprintf("items[%d]: productId must be positive and quantity in 1..%d", i, maxQuantity)
		}
	}
	return ""
}

// orderAnswer is the body of a confirmed order.
type orderAnswer struct {
	OrderID     string `json:"orderId"`
	Status      string `json:"status"`
	AmountCents int64  `json:"amountCents"`
	PaymentID   string `json:"paymentId"`
}

// failure is why an order was not placed: the status and message it is answered with.
type failure struct {
	status int
	msg    string
}

// orders is the order service: it places orders by calling user, product and payment.
type orders struct {
	ids             *idGen
	out             *outbound
	log             *slog.Logger
	confirmed       atomic.Uint64
	failed          atomic.Uint64
	released        atomic.Uint64
	releaseFailures atomic.Uint64
}

func newOrders(e env) backend {
	return &orders{ids: newIDGen(e.cfg.Instance), out: e.out, log: e.log}
}

func (o *orders) routes(rt *router) {
	rt.handle(http.MethodPost, "/orders", o.create)
}

func (o *orders) create(w http.ResponseWriter, r *http.Request) {
	var req orderRequest
	if err := decodeBody(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if msg := req.check(); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	ans, f := o.place(r.Context(), traceOf(r), o.ids.next(), req)
	if f != nil {
		o.failed.Add(1)
		writeError(w, f.status, f.msg)
		return
	}
	o.confirmed.Add(1)
	writeJSON(w, http.StatusCreated, ans)
}

// place validates the user, reserves every item and charges the card; when the reservations
// or the charge fail, it releases every reservation it may hold before answering.
func (o *orders) place(ctx context.Context, tr trace, id string, req orderRequest) (orderAnswer, *failure) {
	if f := o.checkUser(ctx, tr, req.UserID); f != nil {
		return orderAnswer{}, f
	}
	held, amount, f := o.reserveAll(ctx, tr, id, req.Items)
	var paymentID string
	if f == nil {
		paymentID, f = o.charge(ctx, tr, id, amount, req.Card)
	}
	if f != nil {
		o.releaseAll(ctx, tr, held)
		return orderAnswer{}, f
	}
	return orderAnswer{OrderID: id, Status: "confirmed", AmountCents: amount, PaymentID: paymentID}, nil
}

func (o *orders) checkUser(ctx context.Context, tr trace, userID int) *failure {
	status, err := o.out.do(ctx, tr, call{method: http.MethodGet, host: "user", path: "/users/" + strconv.Itoa(userID)})
	switch {
	case err == nil && status == http.StatusOK:
		return nil
	case status == http.StatusNotFound:
		return &failure{http.StatusUnprocessableEntity, fmt.Sprintf("unknown user %d", userID)}
	}
	return o.dependencyFailed("user", status, err)
}

func (o *orders) charge(ctx context.Context, tr trace, orderID string, amount int64, card string) (string, *failure) {
	var ans paymentAnswer
	status, err := o.out.do(ctx, tr, call{
		method: http.MethodPost, host: "payment", path: "/payments", key: "charge-" + orderID,
		body: paymentRequest{AmountCents: amount, Currency: orderCurrency, Card: card, OrderID: orderID},
		out:  &ans,
	})
	switch {
	case err == nil && status == http.StatusCreated:
		return ans.PaymentID, nil
	case status == http.StatusPaymentRequired:
		return "", &failure{http.StatusPaymentRequired, "payment declined"}
	}
	return "", o.dependencyFailed("payment", status, err)
}

// dependencyFailed is the failure of a call that got no answer (503) or an unexpected one (502).
func (o *orders) dependencyFailed(service string, status int, err error) *failure {
	o.log.Debug("dependency failed", "dependency", service, "status", status, "err", err)
	if status == 0 {
		return &failure{http.StatusServiceUnavailable, fmt.Sprintf("%s unreachable: %v", service, err)}
	}
	if err != nil {
		return &failure{http.StatusBadGateway, fmt.Sprintf("%s answered %d: %v", service, status, err)}
	}
	return &failure{http.StatusBadGateway, fmt.Sprintf("%s answered %d", service, status)}
}

func (o *orders) stats(into map[string]any) {
	into["orders"] = o.confirmed.Load()
	into["failed"] = o.failed.Load()
	into["released"] = o.released.Load()
	into["releaseFailures"] = o.releaseFailures.Load()
}

var _ backend = (*orders)(nil)
