package services

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
)

// Limits of GET /products.
const (
	defaultListLimit = 20
	maxListLimit     = 1000
)

// products is the product service: the seeded catalogue and this instance's stock.
type products struct {
	items []product
	stock *stock
}

func newProducts(e env) backend {
	items := catalogue(e.cfg.Seed)
	return &products{items: items, stock: newStock(items)}
}

func (p *products) routes(rt *router) {
	rt.handle(http.MethodGet, "/products/{id}", p.get)
	rt.handle(http.MethodGet, "/products", p.list)
	rt.handle(http.MethodPost, "/products/{id}/reservations", p.reserve)
	rt.handle(http.MethodDelete, "/products/{id}/reservations/{reservationId}", p.release)
}

func (p *products) get(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r.PathValue("id"), numProducts)
	if !ok {
		writeError(w, http.StatusNotFound, "no product "+strconv.Quote(r.PathValue("id")))
		return
	}
	buf := getBuf()
	defer putBuf(buf)
	p.appendProduct(buf, id)
	buf.WriteByte('\n')
	writeBody(w, http.StatusOK, buf.Bytes())
}

func (p *products) list(w http.ResponseWriter, r *http.Request) {
	limit, okLimit := queryInt(r.URL.RawQuery, "limit", defaultListLimit)
	offset, okOffset := queryInt(r.URL.RawQuery, "offset", 0)
	switch {
	case !okLimit || limit < 1 || limit > maxListLimit:
		writeError(w, http.StatusBadRequest, "limit must be a number in 1..1000")
		return
	case !okOffset || offset < 0:
		writeError(w, http.StatusBadRequest, "offset must be a number from 0")
		return
	}
	buf := getBuf()
	defer putBuf(buf)
	buf.WriteString(`{"items":[`)
	for id := offset + 1; id <= min(offset+limit, numProducts); id++ {
		if id > offset+1 {
			buf.WriteByte(',')
		}
		p.appendProduct(buf, id)
	}
	buf.WriteString(`],"total":` + strconv.Itoa(numProducts) + "}\n")
	writeBody(w, http.StatusOK, buf.Bytes())
}

// appendProduct writes product id's JSON object with its current stock.
func (p *products) appendProduct(buf *bytes.Buffer, id int) {
	buf.Write(p.items[id-1].prefix)
	buf.Write(strconv.AppendInt(buf.AvailableBuffer(), p.stock.leftOf(id), 10))
	buf.WriteByte('}')
}

func (p *products) stats(into map[string]any) {
	p.stock.stats(into)
	into["products"] = len(p.items)
}

// queryInt finds key's value in a raw query: def when absent, ok false when not an integer.
func queryInt(raw, key string, def int) (int, bool) {
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if k, v, _ := strings.Cut(kv, "="); k == key {
			n, err := strconv.Atoi(v)
			return n, err == nil
		}
	}
	return def, true
}

var _ backend = (*products)(nil)
