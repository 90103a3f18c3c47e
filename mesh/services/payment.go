package services

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Payment rules.
const (
	declinedCard   = "tok_declined"   // the test card every charge of fails
	maxAmountCents = 1_000_000_000    // ten million dollars
	maxKey         = 256              // bytes of an Idempotency-Key
	recordTTL      = 15 * time.Minute // an idempotency record lives 15–30 minutes
)

// paymentRequest is the body of POST /payments.
type paymentRequest struct {
	AmountCents int64  `json:"amountCents"`
	Currency    string `json:"currency"`
	Card        string `json:"card"`
	OrderID     string `json:"orderId,omitempty"`
}

// check returns why req is a bad request, or "".
func (req paymentRequest) check() string {
	switch {
	case req.AmountCents < 1 || req.AmountCents > maxAmountCents:
		return fmt.Sprintf("amountCents must be in 1..%d", int64(maxAmountCents))
	case len(req.Currency) != 3:
		return "currency must be a 3-letter code such as USD"
	case req.Card == "":
		return "card is required"
	}
	return ""
}

// paymentAnswer is the body of a charge's answer, succeeded (201) or declined (402).
type paymentAnswer struct {
	PaymentID   string `json:"paymentId,omitempty"`
	Status      string `json:"status"`
	AmountCents int64  `json:"amountCents"`
	Error       string `json:"error,omitempty"`
}

// record is the answer stored under an Idempotency-Key.
type record struct {
	fp     [sha256.Size]byte // of the first request's body
	done   chan struct{}     // closed once status and body are set
	status int
	body   []byte
}

// payments is the payment service: charges, and this instance's idempotency records.
type payments struct {
	ids          *idGen
	mu           sync.Mutex // guards records
	records      *ageing[*record]
	charges      atomic.Uint64
	chargedCents atomic.Int64
	declines     atomic.Uint64
	replays      atomic.Uint64
	charging     func() // test hook: runs inside a claimed key, before the charge; nil in service
}

func newPayments(e env) backend {
	return &payments{ids: newIDGen(e.cfg.Instance), records: newAgeing[*record](recordTTL)}
}

func (p *payments) routes(rt *router) {
	rt.handle(http.MethodPost, "/payments", p.create)
}

func (p *payments) create(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(headerIdempotencyKey)
	if len(key) > maxKey {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Idempotency-Key over %d bytes", maxKey))
		return
	}
	buf, err := readBody(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	defer putBuf(buf)
	var req paymentRequest
	if err := unmarshal(buf.Bytes(), &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if msg := req.check(); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	if key == "" {
		status, ans := p.charge(req)
		writeJSON(w, status, ans)
		return
	}
	p.once(w, r, key, sha256.Sum256(buf.Bytes()), req)
}

// once charges req under key at most once: the first request with key charges and stores its
// answer; the others, concurrent or later, wait for it and replay it.
func (p *payments) once(w http.ResponseWriter, r *http.Request, key string, fp [sha256.Size]byte, req paymentRequest) {
	rec, first := p.claim(key, fp)
	if first {
		if p.charging != nil {
			p.charging()
		}
		status, ans := p.charge(req)
		body, _ := json.Marshal(ans)
		rec.status, rec.body = status, append(body, '\n')
		close(rec.done)
		writeBody(w, rec.status, rec.body)
		return
	}
	if rec.fp != fp {
		writeError(w, http.StatusUnprocessableEntity, "Idempotency-Key "+strconv.Quote(key)+" was used with another body")
		return
	}
	select {
	case <-rec.done:
	case <-r.Context().Done():
		writeError(w, http.StatusServiceUnavailable, "canceled while the first request with this key ran")
		return
	}
	p.replays.Add(1)
	w.Header()[headerReplayed] = replayedTrue
	writeBody(w, rec.status, rec.body)
}

// claim returns key's record, and whether the caller created it (and must fill it).
func (p *payments) claim(key string, fp [sha256.Size]byte) (*record, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if rec, ok := p.records.get(key); ok {
		return rec, false
	}
	rec := &record{fp: fp, done: make(chan struct{})}
	p.records.put(key, rec)
	return rec, true
}

// charge charges req's card, or declines it.
func (p *payments) charge(req paymentRequest) (int, paymentAnswer) {
	if req.Card == declinedCard {
		p.declines.Add(1)
		return http.StatusPaymentRequired, paymentAnswer{Status: "declined", AmountCents: req.AmountCents, Error: "card declined"}
	}
	p.charges.Add(1)
	p.chargedCents.Add(req.AmountCents)
	return http.StatusCreated, paymentAnswer{PaymentID: p.ids.next(), Status: "succeeded", AmountCents: req.AmountCents}
}

func (p *payments) stats(into map[string]any) {
	p.mu.Lock()
	into["idempotencyKeys"] = p.records.len()
	p.mu.Unlock()
	into["charges"] = p.charges.Load()
	into["chargedCents"] = p.chargedCents.Load()
	into["declines"] = p.declines.Load()
	into["replays"] = p.replays.Load()
}

var _ backend = (*payments)(nil)
