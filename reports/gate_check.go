package reports

import (
	"errors"
	"strconv"

	"github.com/meshlab/meshlab/scenarios"
)

// CheckGates checks gates against the report's fields and the names of the scenario's faults
// (scenarios.FaultPlan.Names), before anything starts: an unknown field, fault, phase or route
// is a problem at "gates[j]".
func CheckGates(gates, faults []string) []scenarios.Problem {
	var ps []scenarios.Problem
	for j, g := range gates {
		if err := CheckGate(g, faults); err != nil {
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
		plan, err := sc.FaultPlan(sc.Load.Duration.Duration)
		if err != nil {
			continue // the scenario's validation reports it
		}
		for _, p := range CheckGates(sc.Gates, plan.Names()) {
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

// gateMessage drops the leading "invalid gate" the path already implies.
func gateMessage(err error) string {
	if errors.Is(err, ErrGate) {
		return err.Error()
	}
	return "invalid gate: " + err.Error()
}
