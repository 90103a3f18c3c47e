package scenarios

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"

	cm "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
)

// Workload is one pod of the topology as a Chaos Mesh selector sees it.
type Workload struct {
	Name      string // "<service>-<i>" (i from 0), or "gateway"
	Namespace string
	Labels    map[string]string // app=<service>, version=v1
}

// Workloads lists the scenario's pods (after Default): each replica of each service, then the
// gateway.
func (s *Scenario) Workloads() []Workload {
	ns := s.Namespace
	if ns == "" {
		ns = "default"
	}
	var ws []Workload
	for _, svc := range Services {
		n := s.Topology.Replicas[svc]
		if n == 0 {
			n = DefaultReplicas[svc]
		}
		for i := range n {
			ws = append(ws, Workload{Name: svc + "-" + strconv.Itoa(i), Namespace: ns,
				Labels: map[string]string{"app": svc, "version": s.Topology.VersionOf(svc, i)}})
		}
	}
	return append(ws, Workload{Name: "gateway", Namespace: ns, Labels: map[string]string{"app": "gateway"}})
}

// ErrNoTarget is returned (wrapped) by Select when the selector matches no workload.
var ErrNoTarget = errors.New("no workload matches the selector")

// Select picks workloads as Chaos Mesh does: the candidates the selector matches, then mode
// and value (one, all, fixed, fixed-percent rounding up, random-max-percent which may pick
// none), drawn uniformly without replacement from rng. It returns the picked names in
// topology order.
func Select(sel cm.PodSelectorSpec, mode cm.SelectorMode, value string, workloads []Workload, rng *rand.Rand) ([]string, error) {
	var cands []string
	for _, w := range workloads {
		if ok, err := Matches(sel, w); err != nil {
			return nil, err
		} else if ok {
			cands = append(cands, w.Name)
		}
	}
	if len(cands) == 0 {
		return nil, ErrNoTarget
	}
	n, err := pickCount(mode, value, len(cands), rng)
	if err != nil {
		return nil, err
	}
	picked := map[string]bool{}
	for _, i := range rng.Perm(len(cands))[:n] {
		picked[cands[i]] = true
	}
	return slices.DeleteFunc(cands, func(c string) bool { return !picked[c] }), nil
}

// pickCount is how many of n candidates a mode picks.
func pickCount(mode cm.SelectorMode, value string, n int, rng *rand.Rand) (int, error) {
	v, err := strconv.Atoi(value)
	switch mode {
	case cm.OneMode:
		return 1, nil
	case cm.AllMode:
		return n, nil
	case cm.FixedMode:
		if err != nil || v <= 0 {
			return 0, fmt.Errorf("mode fixed: value must be an integer > 0, got %q", value)
		}
		return min(v, n), nil
	case cm.FixedPercentMode, cm.RandomMaxPercentMode:
		if err != nil || v <= 0 || v > 100 {
			return 0, fmt.Errorf("mode %s: value must be an integer in (0,100], got %q", mode, value)
		}
		if mode == cm.RandomMaxPercentMode {
			v = rng.IntN(v + 1)
		}
		k := (n*v + 99) / 100
		if mode == cm.FixedPercentMode {
			k = max(k, 1)
		}
		return min(k, n), nil
	}
	return 0, fmt.Errorf("unknown mode %q: want one, all, fixed, fixed-percent or random-max-percent", mode)
}

// FaultRand is the random source of one fault's selection: derived from the run's seed and the
// fault's name, so a rerun picks the same workloads.
func FaultRand(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}
