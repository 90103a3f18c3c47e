package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/meshlab/meshlab/mesh/controlplane"
	"github.com/meshlab/meshlab/mesh/proxy"
)

// A policy is a Middleware. This one, in the attempt chain, sees each try's endpoint and
// tags the answer with it.
func Example() {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "hello from payment-1\n")
	}))
	defer upstream.Close()

	tag := func(next http.RoundTripper) http.RoundTripper {
		return proxy.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			if err == nil {
				resp.Header.Set("X-Endpoint", proxy.CallOf(r).Endpoint.ID)
			}
			return resp, err
		})
	}
	p := proxy.New(proxy.Options{Retries: 1, Attempt: []proxy.Middleware{tag}})
	defer p.CloseIdleConnections()
	p.Update(controlplane.Snapshot{Version: 1, Services: map[string][]controlplane.Instance{
		"payment": {{ID: "payment-1", Service: "payment", Addr: upstream.Listener.Addr().String(), Ready: true}},
	}})
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.Serve(w, r, p.Route("payment"))
	}))
	defer front.Close()

	resp, err := http.Get(front.URL + "/payments")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.Header.Get("X-Endpoint"), ": ", string(body))
	// Output: payment-1: hello from payment-1
}
