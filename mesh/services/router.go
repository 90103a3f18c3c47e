package services

import (
	"net/http"
	"strings"
)

// router registers a service's routes on a ServeMux and makes every miss a JSON error: 405 with
// an Allow header for another method on a known path, 404 otherwise.
type router struct {
	mux     *http.ServeMux
	work    func(http.HandlerFunc) http.HandlerFunc
	paths   []string            // in registration order
	methods map[string][]string // path → methods served
}

func newRouter(work func(http.HandlerFunc) http.HandlerFunc) *router {
	return &router{mux: http.NewServeMux(), work: work, methods: map[string][]string{}}
}

// handle serves method path with h after the instance's work time.
func (rt *router) handle(method, path string, h http.HandlerFunc) {
	rt.serve(method, path, rt.work(h))
}

// serve serves method path with h as it is.
func (rt *router) serve(method, path string, h http.HandlerFunc) {
	rt.mux.HandleFunc(method+" "+path, h)
	if _, ok := rt.methods[path]; !ok {
		rt.paths = append(rt.paths, path)
	}
	rt.methods[path] = append(rt.methods[path], method)
	if method == http.MethodGet {
		rt.methods[path] = append(rt.methods[path], http.MethodHead)
	}
}

// finish adds the JSON answers to misses and returns the mux.
func (rt *router) finish() *http.ServeMux {
	for _, path := range rt.paths {
		allow := strings.Join(rt.methods[path], ", ")
		rt.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			writeError(w, http.StatusMethodNotAllowed, r.Method+" "+r.URL.Path+": method not allowed (allow "+allow+")")
		})
	}
	rt.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no route "+r.Method+" "+r.URL.Path)
	})
	return rt.mux
}
