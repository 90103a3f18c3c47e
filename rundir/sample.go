package rundir

import (
	"net/http"
	"strconv"
	"time"
)

// SendLagHeader annotates every sample in results.bin (in vegeta's Result.Headers): how much
// later — or, when negative, earlier — than its intended send time the request was actually
// sent, in integer nanoseconds. The sample's Timestamp is the intended time.
const SendLagHeader = "Meshlab-Send-Lag"

// SetSendLag records lag in h.
func SetSendLag(h http.Header, lag time.Duration) {
	h.Set(SendLagHeader, strconv.FormatInt(int64(lag), 10))
}

// SendLag reads the lag SetSendLag recorded in h; ok is false when h carries none (samples
// from before the annotation) or it does not parse.
func SendLag(h http.Header) (lag time.Duration, ok bool) {
	v := h.Get(SendLagHeader)
	if v == "" {
		return 0, false
	}
	ns, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false
	}
	return time.Duration(ns), true
}
