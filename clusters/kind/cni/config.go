package cni

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
)

// ConfPath is where the kubelet's container runtime reads the network configuration.
const ConfPath = "/etc/cni/net.d/10-meshlab.conflist"

// Config renders the CNI configuration list for a node whose pods take addresses from podCIDR.
func Config(podCIDR string, mtu int) ([]byte, error) {
	prefix, err := netip.ParsePrefix(podCIDR)
	if err != nil {
		return nil, fmt.Errorf("pod CIDR %q: %w", podCIDR, err)
	}
	defaultRoute := "0.0.0.0/0"
	if prefix.Addr().Is6() {
		defaultRoute = "::/0"
	}
	conf := map[string]any{
		"cniVersion": "0.4.0",
		"name":       "meshlab",
		"plugins": []any{
			map[string]any{
				"type": "ptp", "ipMasq": false, "mtu": mtu,
				"ipam": map[string]any{
					"type": "host-local", "dataDir": "/run/cni-ipam-state",
					"routes": []any{map[string]any{"dst": defaultRoute}},
					"ranges": []any{[]any{map[string]any{"subnet": prefix.Masked().String()}}},
				},
			},
			map[string]any{"type": "portmap", "capabilities": map[string]any{"portMappings": true}},
		},
	}
	return json.MarshalIndent(conf, "", "  ")
}

// Node is what the agent needs of a Kubernetes node.
type Node struct {
	Name       string
	InternalIP string
	PodCIDRs   []string
}

// Route sends Dst through Via.
type Route struct {
	Dst string
	Via string
}

// Routes are the routes node self needs to reach the other nodes' pods: each podCIDR of every
// other node (with an InternalIP of the same family), through that IP; sorted.
func Routes(self string, nodes []Node) []Route {
	var out []Route
	for _, n := range nodes {
		if n.Name == self || n.InternalIP == "" {
			continue
		}
		ip, err := netip.ParseAddr(n.InternalIP)
		if err != nil {
			continue
		}
		for _, c := range n.PodCIDRs {
			p, err := netip.ParsePrefix(c)
			if err != nil || p.Addr().Is4() != ip.Is4() {
				continue
			}
			out = append(out, Route{Dst: p.Masked().String(), Via: ip.String()})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dst < out[j].Dst })
	return out
}
