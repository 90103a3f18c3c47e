package cni

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// NodeLister lists the cluster's nodes (client-go in the binary, a fake in tests).
type NodeLister func(ctx context.Context) ([]Node, error)

// Agent keeps a node's network configured.
type Agent struct {
	Node      string        // this node's name
	PodSubnet string        // the cluster's pod subnet, never masqueraded
	List      NodeLister    // the nodes
	Interval  time.Duration // between passes; 5 s when zero
	ConfPath  string        // ConfPath when empty
	Exec      func(ctx context.Context, name string, args ...string) error
	Log       *slog.Logger
}

// Run configures the node every Interval until ctx ends; a failed pass is logged and retried.
func (a *Agent) Run(ctx context.Context) error {
	if a.Interval == 0 {
		a.Interval = 5 * time.Second
	}
	if a.ConfPath == "" {
		a.ConfPath = ConfPath
	}
	if a.Exec == nil {
		a.Exec = run
	}
	masq := false
	t := time.NewTicker(a.Interval)
	defer t.Stop()
	for {
		if !masq {
			if err := a.masquerade(ctx); err != nil {
				a.Log.Warn("masquerade", "err", err)
			} else {
				masq = true
			}
		}
		if err := a.Pass(ctx); err != nil {
			a.Log.Warn("pass", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Pass writes the configuration for this node's podCIDR (when it changed) and ensures the
// routes to the other nodes.
func (a *Agent) Pass(ctx context.Context) error {
	nodes, err := a.List(ctx)
	if err != nil {
		return fmt.Errorf("listing nodes: %w", err)
	}
	for _, n := range nodes {
		if n.Name == a.Node && len(n.PodCIDRs) > 0 {
			if err := a.writeConfig(n.PodCIDRs[0]); err != nil {
				return err
			}
		}
	}
	for _, r := range Routes(a.Node, nodes) {
		if err := a.Exec(ctx, "ip", "route", "replace", r.Dst, "via", r.Via); err != nil {
			return fmt.Errorf("route %s via %s: %w", r.Dst, r.Via, err)
		}
	}
	return nil
}

func (a *Agent) writeConfig(podCIDR string) error {
	conf, err := Config(podCIDR, 1500)
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(a.ConfPath); err == nil && bytes.Equal(old, conf) {
		return nil
	}
	tmp := filepath.Join(filepath.Dir(a.ConfPath), ".meshlab-cni.tmp")
	if err := os.WriteFile(tmp, conf, 0o644); err != nil {
		return fmt.Errorf("writing CNI config: %w", err)
	}
	if err := os.Rename(tmp, a.ConfPath); err != nil {
		return fmt.Errorf("writing CNI config: %w", err)
	}
	a.Log.Info("wrote CNI config", "path", a.ConfPath, "podCIDR", podCIDR)
	return nil
}

// masquerade NATs traffic from the pod subnet to anywhere outside it, once.
func (a *Agent) masquerade(ctx context.Context) error {
	rule := []string{"POSTROUTING", "-s", a.PodSubnet, "!", "-d", a.PodSubnet, "-m", "comment", "--comment", "meshlab-cni", "-j", "MASQUERADE"}
	if a.Exec(ctx, "iptables", append([]string{"-t", "nat", "-C"}, rule...)...) == nil {
		return nil
	}
	return a.Exec(ctx, "iptables", append([]string{"-t", "nat", "-A"}, rule...)...)
}

func run(ctx context.Context, name string, args ...string) error {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, bytes.TrimSpace(out))
	}
	return nil
}
