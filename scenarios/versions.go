package scenarios

import (
	"regexp"
	"slices"
)

// DefaultVersion is the version label of a replica that Topology.Versions does not name.
const DefaultVersion = "v1"

var versionLabel = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)

// VersionOf is the version label of replica ordinal of service: the last replicas carry the
// versions Topology.Versions names (in sorted version order), the rest DefaultVersion.
func (t Topology) VersionOf(service string, ordinal int) string {
	n := t.Replicas[service]
	if n == 0 {
		n = DefaultReplicas[service]
	}
	vs := t.Versions[service]
	names := make([]string, 0, len(vs))
	for v := range vs {
		names = append(names, v)
	}
	slices.Sort(names)
	first := n
	for _, v := range names {
		first -= vs[v]
	}
	if ordinal < first {
		return DefaultVersion
	}
	for _, v := range names {
		if ordinal < first+vs[v] {
			return v
		}
		first += vs[v]
	}
	return DefaultVersion
}

// validateVersions checks Topology.Versions: known services, label-shaped versions, positive
// counts that leave room in the service's replicas.
func (t Topology) validateVersions(ps *problems) {
	for svc, vs := range t.Versions {
		path := joinPath("versions", keySegment(svc))
		if !slices.Contains(Services, svc) {
			ps.addf(path, "%s", unknownName("service", svc, Services))
			continue
		}
		total := 0
		for v, n := range vs {
			if !versionLabel.MatchString(v) {
				ps.addf(joinPath(path, keySegment(v)), "not a label value: %q", v)
			}
			if n <= 0 {
				ps.addf(joinPath(path, keySegment(v)), "must be > 0, got %d", n)
			}
			total += n
		}
		replicas := t.Replicas[svc]
		if replicas == 0 {
			replicas = DefaultReplicas[svc]
		}
		if total > replicas {
			ps.addf(path, "names %d replicas, but %s has %d", total, svc, replicas)
		}
	}
}
