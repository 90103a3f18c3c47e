// Command bareproxy is the benchmarks' reference: a bare httputil.ReverseProxy in front of one
// upstream, on net/http's transport with a proxy's tuning (proxy.NewHTTPTransport), and nothing
// else. It prints the address it listens on and serves until killed. Not part of the product.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"

	"github.com/meshlab/meshlab/mesh/proxy"
)

func main() {
	upstream := flag.String("upstream", "", "host:port to proxy to")
	flag.Parse()
	u, err := url.Parse("http://" + *upstream)
	if err != nil || *upstream == "" {
		log.Fatalf("bareproxy: bad --upstream %q", *upstream)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = proxy.NewHTTPTransport()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ln.Addr())
	log.Fatal(http.Serve(ln, rp))
}
