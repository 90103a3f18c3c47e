package services

import (
	"strconv"
	"sync/atomic"
	"time"
)

// idGen makes ids unique across instances and restarts: the instance name, the instance's
// start time (nanoseconds, base 36) and a counter, e.g. "order-1-1bd4xk2mq9w1c-42".
type idGen struct {
	prefix string
	n      atomic.Uint64
}

func newIDGen(instance string) *idGen {
	return &idGen{prefix: instance + "-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-"}
}

// next returns a fresh id.
func (g *idGen) next() string {
	var b [64]byte
	out := append(b[:0], g.prefix...)
	return string(strconv.AppendUint(out, g.n.Add(1), 10))
}
