package scenarios

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/meshlab/meshlab/mesh/policy"
)

// Clone is a deep copy of the scenario: changing the copy's maps, slices and pointers leaves
// s untouched.
func (s Scenario) Clone() Scenario {
	c := s
	c.Topology.Replicas = maps.Clone(s.Topology.Replicas)
	c.Topology.ServiceTime = maps.Clone(s.Topology.ServiceTime)
	if s.Topology.Versions != nil {
		c.Topology.Versions = make(map[string]map[string]int, len(s.Topology.Versions))
		for svc, vs := range s.Topology.Versions {
			c.Topology.Versions[svc] = maps.Clone(vs)
		}
	}
	c.Topology.Retries = clonePtr(s.Topology.Retries)
	c.Topology.ProxyWorkers = clonePtr(s.Topology.ProxyWorkers)
	c.Load.Steps = slices.Clone(s.Load.Steps)
	c.Load.Mix = slices.Clone(s.Load.Mix)
	c.SLO.Availability = clonePtr(s.SLO.Availability)
	c.SLO.Latency = clonePtr(s.SLO.Latency)
	c.Policy = clonePolicy(s.Policy)
	c.PolicyChanges = slices.Clone(s.PolicyChanges)
	for i := range c.PolicyChanges {
		c.PolicyChanges[i].Policy = *clonePolicy(&s.PolicyChanges[i].Policy)
	}
	c.Gates = slices.Clone(s.Gates)
	c.Faults = slices.Clone(s.Faults)
	for i := range c.Faults {
		c.Faults[i].Object = slices.Clone(s.Faults[i].Object)
	}
	return c
}

// clonePolicy deep-copies a policy through JSON, its own serialization.
func clonePolicy(p *policy.MeshPolicy) *policy.MeshPolicy {
	if p == nil {
		return nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic(fmt.Sprintf("scenarios: cloning a policy: %v", err))
	}
	c := &policy.MeshPolicy{}
	if err := json.Unmarshal(b, c); err != nil {
		panic(fmt.Sprintf("scenarios: cloning a policy: %v", err))
	}
	return c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
