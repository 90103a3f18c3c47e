package controlplane_test

import (
	"context"
	"fmt"
	"net"
	"net/http"

	"github.com/meshlab/meshlab/mesh/controlplane"
)

// A sidecar registers its instance; the gateway watches the snapshot.
func Example() {
	cp := controlplane.NewServer(controlplane.ServerOptions{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	hs := &http.Server{Handler: cp.Handler()}
	go hs.Serve(ln)
	defer hs.Shutdown(context.Background()) // also closes cp: registration streams end

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := controlplane.NewClient(ln.Addr().String(), nil)
	reg := c.Register(ctx, controlplane.Instance{
		ID: "payment-1", Service: "payment", Addr: "127.0.0.1:9001",
		Labels: map[string]string{"app": "payment", "version": "v1"}, Ready: true,
	})
	<-reg.Registered()

	c.Watch(ctx, func(s controlplane.Snapshot) {
		for _, in := range s.Services["payment"] {
			fmt.Println(in.ID, in.Addr, in.Labels["version"])
		}
		cancel()
	})
	// Output: payment-1 127.0.0.1:9001 v1
}
