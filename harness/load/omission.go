package load

import (
	"net/http"
	"strconv"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// SendLagHeader is the header Attack adds to every sample's Headers: how much later (or, when
// negative, earlier) than intended the request was actually sent, in integer nanoseconds.
const SendLagHeader = "Meshlab-Send-Lag"

// SendLag is the send lag Attack recorded in r; ok is false when r carries none.
func SendLag(r *vegeta.Result) (lag time.Duration, ok bool) {
	v := r.Headers.Get(SendLagHeader)
	if v == "" {
		return 0, false
	}
	ns, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false
	}
	return time.Duration(ns), true
}

// rewrite moves r from vegeta's clock to the schedule's: Timestamp becomes the intended send
// time, Latency runs from it to the end vegeta measured, and the difference between vegeta's
// stamp and the intended time is kept, signed, in the SendLagHeader.
func rewrite(r *vegeta.Result, intended time.Time) {
	end := r.End()
	lag := r.Timestamp.Sub(intended)
	r.Timestamp, r.Latency = intended, end.Sub(intended)
	if r.Headers == nil {
		r.Headers = http.Header{}
	}
	r.Headers.Set(SendLagHeader, strconv.FormatInt(int64(lag), 10))
}
