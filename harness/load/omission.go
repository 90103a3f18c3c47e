package load

import (
	"net/http"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/rundir"
)

// rewrite moves r from vegeta's clock to the schedule's: Timestamp becomes the intended send
// time, Latency runs from it to the end vegeta measured, and the difference between vegeta's
// stamp and the intended time is kept, signed, as the sample's send lag (rundir.SetSendLag).
func rewrite(r *vegeta.Result, intended time.Time) {
	end := r.End()
	lag := r.Timestamp.Sub(intended)
	r.Timestamp, r.Latency = intended, end.Sub(intended)
	if r.Headers == nil {
		r.Headers = http.Header{}
	}
	rundir.SetSendLag(r.Headers, lag)
}
