package netfault_test

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/meshlab/meshlab/mesh/netfault"
)

// A sidecar shapes what it writes to 127.0.0.2: 100 ms ± 10 ms on every reply and request.
func ExampleEngine() {
	e := netfault.NewEngine(slog.New(slog.DiscardHandler), 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	ln = e.Listener(ln) // serve on this
	var d net.Dialer
	dial := e.DialContext(d.DialContext) // dial upstreams with this
	_ = dial

	err = e.Set([]netfault.Rule{{
		Name:    "delay-payment",
		Targets: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")},
		Delay:   &netfault.Delay{Latency: 100 * time.Millisecond, Jitter: 10 * time.Millisecond},
	}})
	fmt.Println(err, e.Rules()[0].Name)
	_ = e.Set(nil) // the fault ends
	fmt.Println(len(e.Rules()), e.Stats().Rules[0].Name)
	// Output:
	// <nil> delay-payment
	// 0 delay-payment
}
