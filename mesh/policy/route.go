package policy

import (
	"slices"
	"strings"
)

// matchRoute finds the route key matching method and path, in sorted key order.
func matchRoute(routes map[string]RoutePolicy, method, path string) (string, RoutePolicy, bool) {
	if len(routes) == 0 {
		return "", RoutePolicy{}, false
	}
	keys := make([]string, 0, len(routes))
	for k := range routes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if RouteMatches(k, method, path) {
			return k, routes[k], true
		}
	}
	return "", RoutePolicy{}, false
}

// RouteMatches reports whether a route key "METHOD /a/{id}" matches method and path (query
// excluded); a key without a method ("/a/{id}") matches any method.
func RouteMatches(key, method, path string) bool {
	m, pattern, ok := strings.Cut(key, " ")
	if !ok {
		m, pattern = "", key
	}
	if m != "" && m != method {
		return false
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	ps, ks := strings.Split(strings.Trim(path, "/"), "/"), strings.Split(strings.Trim(pattern, "/"), "/")
	if len(ps) != len(ks) {
		return false
	}
	for i, k := range ks {
		if strings.HasPrefix(k, "{") && strings.HasSuffix(k, "}") {
			if ps[i] == "" {
				return false
			}
			continue
		}
		if k != ps[i] {
			return false
		}
	}
	return true
}
