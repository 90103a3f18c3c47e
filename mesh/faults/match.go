package faults

import (
	"net/http"
	"unicode/utf8"
)

// matchRequest reports whether the rule's request fields match r on port.
func (c *compiled) matchRequest(r *http.Request, port int32) bool {
	switch {
	case c.Port != 0 && port != 0 && c.Port != port:
		return false
	case c.Path != nil && !wildcard(*c.Path, r.URL.Path):
		return false
	case c.Method != nil && *c.Method != r.Method:
		return false
	}
	return headersMatch(c.RequestHeaders, r.Header)
}

// matchResponse reports whether a Response rule's answer fields match resp.
func (c *compiled) matchResponse(resp *http.Response) bool {
	if c.Code != nil && int(*c.Code) != resp.StatusCode {
		return false
	}
	return headersMatch(c.ResponseHeaders, resp.Header)
}

// wildcard reports whether s matches pattern as a whole: * matches any run of characters,
// / included; ? matches one character; the rest must be equal (case-sensitive).
func wildcard(pattern, s string) bool {
	p, str := 0, 0
	star, mark := -1, 0 // last * in pattern, and where in s it started matching
	for str < len(s) {
		sr, sn := utf8.DecodeRuneInString(s[str:])
		if p < len(pattern) {
			pr, pn := utf8.DecodeRuneInString(pattern[p:])
			switch {
			case pr == '*':
				star, mark = p, str
				p += pn
				continue
			case pr == '?' || pr == sr:
				p, str = p+pn, str+sn
				continue
			}
		}
		if star < 0 {
			return false
		}
		p = star + 1 // let the last * take one more character
		_, mn := utf8.DecodeRuneInString(s[mark:])
		mark += mn
		str = mark
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
