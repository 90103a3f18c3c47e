package services

import (
	"fmt"
	"net/http"
	"strconv"
)

// Limits of a reservation request.
const (
	maxQuantity   = 1_000_000
	maxReserveKey = 256 // bytes of a reservation id
)

var replayedTrue = []string{"true"}

// reserveRequest is the body of POST /products/{id}/reservations.
type reserveRequest struct {
	ReservationID string `json:"reservationId"`
	Quantity      int64  `json:"quantity"`
}

// check returns why req (with its Idempotency-Key header key) is a bad request, or "".
func (req reserveRequest) check(key string) string {
	switch {
	case req.ReservationID == "" || len(req.ReservationID) > maxReserveKey:
		return fmt.Sprintf("reservationId must be 1..%d bytes", maxReserveKey)
	case req.Quantity < 1 || req.Quantity > maxQuantity:
		return fmt.Sprintf("quantity must be in 1..%d", maxQuantity)
	case key != "" && key != req.ReservationID:
		return "Idempotency-Key " + strconv.Quote(key) + " differs from reservationId " + strconv.Quote(req.ReservationID)
	}
	return ""
}

func (p *products) reserve(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r.PathValue("id"), numProducts)
	if !ok {
		writeError(w, http.StatusNotFound, "no product "+strconv.Quote(r.PathValue("id")))
		return
	}
	var req reserveRequest
	if err := decodeBody(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if msg := req.check(r.Header.Get(headerIdempotencyKey)); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	want := reservation{ID: req.ReservationID, ProductID: id, Quantity: req.Quantity, PriceCents: p.items[id-1].priceCents}
	res, result, left := p.stock.reserve(want)
	switch result {
	case replayed:
		w.Header()[headerReplayed] = replayedTrue
		writeJSON(w, http.StatusCreated, res)
	case reserved:
		writeJSON(w, http.StatusCreated, res)
	case mismatch:
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("reservation %q holds %d of product %d",
			res.ID, res.Quantity, res.ProductID))
	case shortOfStock:
		writeError(w, http.StatusConflict, fmt.Sprintf("product %d: %d in stock, %d wanted", id, left, req.Quantity))
	case alreadyReleased:
		writeError(w, http.StatusConflict, fmt.Sprintf("reservation %q was released", req.ReservationID))
	}
}

func (p *products) release(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r.PathValue("id"), numProducts)
	resID := r.PathValue("reservationId")
	if key := r.Header.Get(headerIdempotencyKey); key != "" && key != resID {
		writeError(w, http.StatusBadRequest, "Idempotency-Key "+strconv.Quote(key)+" differs from the reservation id")
		return
	}
	if !ok || !p.stock.release(id, resID) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no reservation %q of product %q", resID, r.PathValue("id")))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
