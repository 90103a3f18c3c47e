package proxy_test

import (
	"fmt"
	"log/slog"

	"github.com/meshlab/meshlab/mesh/proxy"
)

// A Registry is made once per proxy; Apply adds its middlewares to the proxy's chains.
func ExampleRegistry_Apply() {
	reg := proxy.NewRegistry(proxy.WithLogger(slog.New(slog.DiscardHandler)))
	opts := proxy.Options{}
	reg.Apply(&opts)
	p := proxy.New(opts)
	defer p.CloseIdleConnections()
	fmt.Println(len(opts.Request), len(opts.Attempt), len(reg.Stats().Services))
	// Output: 1 2 0
}
