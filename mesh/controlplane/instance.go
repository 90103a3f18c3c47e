package controlplane

import (
	"errors"
	"maps"
)

// validate reports what a registration is missing.
func (in Instance) validate() error {
	var errs []error
	if in.ID == "" {
		errs = append(errs, errors.New("id is empty"))
	}
	if in.Service == "" {
		errs = append(errs, errors.New("service is empty"))
	}
	if in.Addr == "" {
		errs = append(errs, errors.New("addr is empty"))
	}
	return errors.Join(errs...)
}

func equalInstance(a, b Instance) bool {
	return a.ID == b.ID && a.Service == b.Service && a.Addr == b.Addr && a.Ready == b.Ready &&
		maps.Equal(a.Labels, b.Labels)
}

func cloneInstance(in Instance) Instance {
	in.Labels = maps.Clone(in.Labels)
	return in
}

// clone returns a deep copy the caller may change; the Policy document is shared (never change it).
func (s Snapshot) clone() Snapshot {
	services := make(map[string][]Instance, len(s.Services))
	for name, list := range s.Services {
		cp := make([]Instance, len(list))
		for i, in := range list {
			cp[i] = cloneInstance(in)
		}
		services[name] = cp
	}
	return Snapshot{Version: s.Version, Services: services, Policy: s.Policy, PolicyVersion: s.PolicyVersion}
}
