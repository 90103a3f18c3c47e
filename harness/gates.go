package harness

import (
	"errors"
	"slices"
	"strconv"

	"github.com/meshlab/meshlab/reports"
	"github.com/meshlab/meshlab/scenarios"
)

// CheckGates checks every gate of sc against the report's fields and sc's fault names, before
// anything starts: an unknown field, fault, phase or route is a problem at "gates[j]".
func CheckGates(sc scenarios.Scenario) []scenarios.Problem {
	if len(sc.Gates) == 0 {
		return nil
	}
	names := FaultNames(sc)
	var ps []scenarios.Problem
	for j, g := range sc.Gates {
		if err := reports.CheckGate(g, names); err != nil {
			ps = append(ps, scenarios.Problem{Path: "gates[" + strconv.Itoa(j) + "]", Message: gateMessage(err)})
		}
	}
	return ps
}

// CheckCatalogGates checks the gates of every scenario of cat; the problems name the
// catalogue's file and the gate's line ("scenarios.yaml:97: scenarios[3].gates[1]: …").
func CheckCatalogGates(cat *scenarios.Catalog) error {
	var all []scenarios.Problem
	for i, sc := range cat.Scenarios {
		for _, p := range CheckGates(sc) {
			p.Path = "scenarios[" + strconv.Itoa(i) + "]." + p.Path
			p.File, p.Line = cat.File, cat.LineOf(p.Path)
			all = append(all, p)
		}
	}
	if len(all) == 0 {
		return nil
	}
	return &scenarios.ValidationError{Problems: all}
}

// FaultNames are the names gates may use for sc's faults: every firing's name, and the name
// of each Schedule.
func FaultNames(sc scenarios.Scenario) []string {
	plans, err := sc.FaultPlan(sc.Load.Duration.Duration)
	if err != nil {
		return nil // the scenario's validation reports it
	}
	var names []string
	for _, p := range plans {
		names = append(names, p.Name)
		if p.Schedule != "" {
			names = append(names, p.Schedule)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// gateMessage drops the leading "invalid gate" the path already implies.
func gateMessage(err error) string {
	if errors.Is(err, reports.ErrGate) {
		return err.Error()
	}
	return "invalid gate: " + err.Error()
}
