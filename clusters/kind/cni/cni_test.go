package cni

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfig(t *testing.T) {
	t.Parallel()
	raw, err := Config("10.244.1.0/24", 1500)
	require.NoError(t, err)
	var conf struct {
		CNIVersion string `json:"cniVersion"`
		Plugins    []struct {
			Type string
			IPAM struct {
				Type   string
				Ranges [][]struct{ Subnet string }
				Routes []struct{ Dst string }
			}
			Capabilities map[string]bool
		}
	}
	require.NoError(t, json.Unmarshal(raw, &conf))
	require.Len(t, conf.Plugins, 2)
	assert.Equal(t, "ptp", conf.Plugins[0].Type)
	assert.Equal(t, "host-local", conf.Plugins[0].IPAM.Type)
	assert.Equal(t, "10.244.1.0/24", conf.Plugins[0].IPAM.Ranges[0][0].Subnet)
	assert.Equal(t, "0.0.0.0/0", conf.Plugins[0].IPAM.Routes[0].Dst)
	assert.Equal(t, "portmap", conf.Plugins[1].Type)
	assert.True(t, conf.Plugins[1].Capabilities["portMappings"])

	_, err = Config("not-a-cidr", 1500)
	assert.ErrorContains(t, err, "pod CIDR")
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	nodes := []Node{
		{Name: "cp", InternalIP: "172.18.0.2", PodCIDRs: []string{"10.244.0.0/24"}},
		{Name: "w2", InternalIP: "172.18.0.4", PodCIDRs: []string{"10.244.2.0/24", "fd00:10:244:2::/64"}},
		{Name: "w1", InternalIP: "172.18.0.3", PodCIDRs: []string{"10.244.1.0/24"}},
		{Name: "new", InternalIP: "172.18.0.5"}, // no podCIDR yet
		{Name: "noip", PodCIDRs: []string{"10.244.9.0/24"}},
	}
	assert.Equal(t, []Route{{"10.244.1.0/24", "172.18.0.3"}, {"10.244.2.0/24", "172.18.0.4"}}, Routes("cp", nodes))
	assert.Equal(t, []Route{{"10.244.0.0/24", "172.18.0.2"}, {"10.244.2.0/24", "172.18.0.4"}}, Routes("w1", nodes))
	assert.Empty(t, Routes("cp", nodes[:1]), "a single node routes nothing")
}

func TestAgentPass(t *testing.T) {
	t.Parallel()
	conf := filepath.Join(t.TempDir(), "10-meshlab.conflist")
	var ran []string
	a := &Agent{Node: "w1", PodSubnet: "10.244.0.0/16", ConfPath: conf, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		List: func(context.Context) ([]Node, error) {
			return []Node{{Name: "cp", InternalIP: "172.18.0.2", PodCIDRs: []string{"10.244.0.0/24"}},
				{Name: "w1", InternalIP: "172.18.0.3", PodCIDRs: []string{"10.244.1.0/24"}}}, nil
		},
		Exec: func(_ context.Context, name string, args ...string) error {
			ran = append(ran, name+" "+strings.Join(args, " "))
			return nil
		},
	}
	require.NoError(t, a.Pass(context.Background()))
	raw, err := os.ReadFile(conf)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"subnet": "10.244.1.0/24"`)
	assert.Equal(t, []string{"ip route replace 10.244.0.0/24 via 172.18.0.2"}, ran)

	// the masquerade rule is added only when the check says it is missing
	ran = nil
	a.Exec = func(_ context.Context, name string, args ...string) error {
		ran = append(ran, name+" "+strings.Join(args, " "))
		if args[2] == "-C" {
			return errors.New("no such rule")
		}
		return nil
	}
	require.NoError(t, a.masquerade(context.Background()))
	require.Len(t, ran, 2)
	assert.Equal(t, "iptables -t nat -A POSTROUTING -s 10.244.0.0/16 ! -d 10.244.0.0/16 -m comment --comment meshlab-cni -j MASQUERADE", ran[1])

	a.List = func(context.Context) ([]Node, error) { return nil, errors.New("connection refused") }
	assert.ErrorContains(t, a.Pass(context.Background()), "listing nodes")
}
