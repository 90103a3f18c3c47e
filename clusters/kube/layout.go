package kube

import (
	"regexp"
	"strings"
)

// Ports of the mesh's containers, as its Deployments declare them. Only the inbound, health,
// control-plane and gateway ports listen on the pod's address; every other one is on
// 127.0.0.1, so the pod is the trust boundary: nothing outside it reaches a service but through
// its sidecar's inbound port (mTLS and authorization), nor borrows its sidecar's identity.
const (
	AppPort          = 8080  // the service, 127.0.0.1: what an HTTPChaos port matches
	InboundPort      = 15006 // the sidecar's inbound, what other pods dial
	OutboundPort     = 15001 // the sidecar's outbound, 127.0.0.1: the service's calls
	AdminPort        = 15000 // the sidecar's and the gateway's admin, 127.0.0.1
	ServiceAdminPort = 15002 // the service's admin (StressChaos), 127.0.0.1
	HealthPort       = 15021 // the sidecar's and gateway's readiness, plaintext: the kubelet probes it
	ControlPlanePort = 15010 // the control plane's API
	GatewayPort      = 8080  // the gateway's public listener
)

// Labels meshlab puts on what it creates, so that meshlab clean finds leftovers.
const (
	LabelManagedBy = "app.kubernetes.io/managed-by"
	ManagedBy      = "meshlab"
	LabelRun       = "meshlab.dev/run"
)

// Names of the run's fixed objects.
const (
	ControlPlane = "controlplane"
	Gateway      = "gateway"
	TokenSecret  = "meshlab-run"
)

// NamespacePrefix starts every run's namespace: meshlab-<run id>.
const NamespacePrefix = "meshlab-"

var notDNS = regexp.MustCompile(`[^a-z0-9-]+`)

// NamespaceFor is the namespace of run runID: "meshlab-" and the run id made a DNS label (lower
// case, '.' and other characters as '-', at most 63 characters, no trailing '-').
func NamespaceFor(runID string) string {
	s := NamespacePrefix + notDNS.ReplaceAllString(strings.ToLower(runID), "-")
	if len(s) > 63 {
		s = s[:63]
	}
	return strings.TrimRight(s, "-")
}

// RunLabel is runID as a label value (at most 63 characters of [a-z0-9-.], trimmed).
func RunLabel(runID string) string {
	return strings.Trim(NamespaceFor(runID)[len(NamespacePrefix):], "-.")
}
