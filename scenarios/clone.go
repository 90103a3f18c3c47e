package scenarios

import (
	"maps"
	"slices"
)

// Clone is a deep copy of the scenario: changing the copy's maps, slices and pointers leaves
// s untouched.
func (s Scenario) Clone() Scenario {
	c := s
	c.Topology.Replicas = maps.Clone(s.Topology.Replicas)
	c.Topology.ServiceTime = maps.Clone(s.Topology.ServiceTime)
	c.Topology.Retries = clonePtr(s.Topology.Retries)
	c.Load.Steps = slices.Clone(s.Load.Steps)
	c.Load.Mix = slices.Clone(s.Load.Mix)
	c.SLO.Availability = clonePtr(s.SLO.Availability)
	c.SLO.Latency = clonePtr(s.SLO.Latency)
	return c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
