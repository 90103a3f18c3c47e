package identity

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// TrustDomain is the mesh's SPIFFE trust domain.
const TrustDomain = "meshlab.local"

// ErrBadID is returned for a string that is not a mesh SPIFFE ID.
var ErrBadID = errors.New("not a spiffe://" + TrustDomain + "/ns/<namespace>/sa/<service> id")

// ID returns the SPIFFE ID of service in namespace.
func ID(namespace, service string) string {
	return "spiffe://" + TrustDomain + "/ns/" + namespace + "/sa/" + service
}

// ParseID splits a mesh SPIFFE ID into its namespace and service.
func ParseID(id string) (namespace, service string, err error) {
	u, err := url.Parse(id)
	if err != nil || u.Scheme != "spiffe" || u.Host != TrustDomain || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("%q: %w", id, ErrBadID)
	}
	parts := strings.Split(u.Path, "/")
	if len(parts) != 5 || parts[0] != "" || parts[1] != "ns" || parts[3] != "sa" ||
		!validName(parts[2]) || !validName(parts[4]) {
		return "", "", fmt.Errorf("%q: %w", id, ErrBadID)
	}
	return parts[2], parts[4], nil
}

// validName accepts DNS-label-like names: lower case letters, digits, '-', '.', '_'.
func validName(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}

// PeerIdentity returns the SPIFFE ID and service of the peer of a verified TLS connection;
// empty strings when the peer presented no mesh identity.
func PeerIdentity(cs *tls.ConnectionState) (spiffeID, service string) {
	if cs == nil || len(cs.PeerCertificates) == 0 {
		return "", ""
	}
	for _, u := range cs.PeerCertificates[0].URIs {
		if u.Scheme != "spiffe" {
			continue
		}
		id := u.String()
		if _, svc, err := ParseID(id); err == nil {
			return id, svc
		}
	}
	return "", ""
}
