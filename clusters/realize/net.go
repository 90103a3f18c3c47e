package realize

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/chaos-mesh/chaos-mesh/api/v1alpha1"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/mesh/netfault"
)

// netFault realizes NetworkChaos in Chaos Mesh's placement: egress shaping on the side that
// sends. direction "to" puts a rule on every selected source targeting the target workloads'
// addresses; "from" puts one on every target targeting the sources; "both" does both. With no
// target, "to" shapes all egress of the sources ("from" and "both" need a target, as Chaos
// Mesh's webhook says, except partition, which then cuts the sources off entirely).
func (r *Realizer) netFault(ctx context.Context, f clusters.Fault, nc *v1alpha1.NetworkChaos) (clusters.Injection, error) {
	rule, diffs, err := netRule(f.Name, nc)
	if err != nil {
		return nil, err
	}
	dir := nc.Spec.Direction
	if dir == "" {
		dir = v1alpha1.To
	}
	placements := map[string][]netip.Prefix{} // workload → targets of its rule
	add := func(on, toward []string) error {
		prefixes, err := r.prefixes(ctx, toward)
		if err != nil {
			return err
		}
		for _, w := range on {
			placements[w] = append(placements[w], prefixes...)
		}
		return nil
	}
	switch {
	case len(f.Targets) == 0:
		err = add(f.Selected, nil)
	case dir == v1alpha1.To:
		err = add(f.Selected, f.Targets)
	case dir == v1alpha1.From:
		err = add(f.Targets, f.Selected)
	case dir == v1alpha1.Both:
		if err = add(f.Selected, f.Targets); err == nil {
			err = add(f.Targets, f.Selected)
		}
	default:
		err = fmt.Errorf("%s: direction %q", f.Name, dir)
	}
	if err != nil {
		return nil, err
	}
	var on []string
	for w, targets := range placements {
		rl := rule
		rl.Targets = targets
		r.net.set(w, f.Name, []netfault.Rule{rl})
		if err := r.pushNet(ctx, w); err != nil {
			return nil, fmt.Errorf("%s: injecting on %s: %w", f.Name, w, err)
		}
		on = append(on, w)
	}
	if len(nc.Spec.ExternalTargets) > 0 {
		diffs = append(diffs, "externalTargets are ignored: the mesh has no external peers")
	}
	return &injection{diffs: diffs, remove: func(ctx context.Context) error {
		var errs []error
		for _, w := range on {
			r.net.set(w, f.Name, nil)
			errs = append(errs, r.pushNet(ctx, w))
		}
		return errors.Join(errs...)
	}}, nil
}

// prefixes turns workload IDs into /32 prefixes of their addresses.
func (r *Realizer) prefixes(ctx context.Context, ids []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, id := range ids {
		t, err := r.mesh.Target(ctx, id)
		if err != nil {
			return nil, err
		}
		if !t.IP.IsValid() {
			return nil, fmt.Errorf("workload %q has no address", id)
		}
		out = append(out, netip.PrefixFrom(t.IP, 32))
	}
	return out, nil
}

// netRule translates the spec's tc parameters: every netem block present applies whatever the
// action is named, as in Chaos Mesh; partition is a blackhole.
func netRule(name string, nc *v1alpha1.NetworkChaos) (netfault.Rule, []string, error) {
	r := netfault.Rule{Name: name}
	var diffs []string
	sp := nc.Spec
	if sp.Action == v1alpha1.PartitionAction {
		r.Partition = true
		return r, diffs, nil
	}
	var err error
	if d := sp.Delay; d != nil {
		r.Delay = &netfault.Delay{}
		if r.Delay.Latency, err = duration(d.Latency); err != nil {
			return r, nil, fmt.Errorf("%s: spec.delay.latency: %w", name, err)
		}
		if r.Delay.Jitter, err = duration(d.Jitter); err != nil {
			return r, nil, fmt.Errorf("%s: spec.delay.jitter: %w", name, err)
		}
		if r.Delay.Correlation, err = percent(d.Correlation); err != nil {
			return r, nil, fmt.Errorf("%s: spec.delay.correlation: %w", name, err)
		}
		if d.Reorder != nil {
			diffs = append(diffs, "delay.reorder has no effect in the sidecars: the TCP byte stream never reorders")
		}
	}
	var probs []probField
	if l := sp.Loss; l != nil {
		probs = append(probs, probField{"loss", l.Loss, l.Correlation, &r.Loss})
	}
	if c := sp.Corrupt; c != nil {
		probs = append(probs, probField{"corrupt", c.Corrupt, c.Correlation, &r.Corrupt})
	}
	if d := sp.Duplicate; d != nil {
		probs = append(probs, probField{"duplicate", d.Duplicate, d.Correlation, &r.Duplicate})
		diffs = append(diffs, "duplicate has no visible effect beyond bytes (TCP discards duplicates); counted")
	}
	for _, pr := range probs {
		p, err := percent(pr.p)
		if err != nil {
			return r, nil, fmt.Errorf("%s: spec.%s: %w", name, pr.field, err)
		}
		c, err := percent(pr.c)
		if err != nil {
			return r, nil, fmt.Errorf("%s: spec.%s.correlation: %w", name, pr.field, err)
		}
		*pr.dst = &netfault.Prob{Percent: p, Correlation: c}
	}
	if b := sp.Bandwidth; b != nil {
		rate, err := ParseRate(b.Rate)
		if err != nil {
			return r, nil, fmt.Errorf("%s: spec.bandwidth.rate: %w", name, err)
		}
		r.Bandwidth = &netfault.Bandwidth{Rate: rate, Limit: uint64(b.Limit), Buffer: uint64(b.Buffer)}
		if b.Peakrate != nil || b.Minburst != nil {
			diffs = append(diffs, "bandwidth peakrate/minburst are not modelled")
		}
	}
	return r, diffs, nil
}

// probField is one netem probability block to translate.
type probField struct {
	field string
	p, c  string
	dst   **netfault.Prob
}

func duration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	return time.ParseDuration(s)
}

func percent(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v > 100 {
		return 0, fmt.Errorf("want a percentage 0–100, got %q", s)
	}
	return v, nil
}

// ParseRate parses a tc rate as Chaos Mesh writes it: an integer and a unit of bit, kbit, mbit,
// gbit, tbit (bits/s) or bps, kbps, mbps, gbps, tbps (bytes/s), multipliers ×1000; it returns
// bytes per second.
func ParseRate(s string) (uint64, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	units := []struct {
		suffix string
		mult   float64
	}{{"tbit", 1e12 / 8}, {"gbit", 1e9 / 8}, {"mbit", 1e6 / 8}, {"kbit", 1e3 / 8}, {"bit", 1.0 / 8},
		{"tbps", 1e12}, {"gbps", 1e9}, {"mbps", 1e6}, {"kbps", 1e3}, {"bps", 1}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			n, err := strconv.ParseUint(num, 10, 64)
			if err != nil {
				break
			}
			return uint64(float64(n) * u.mult), nil
		}
	}
	return 0, fmt.Errorf("want a rate like \"1mbps\" or \"10mbit\", got %q", s)
}
