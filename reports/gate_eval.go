package reports

import (
	"math"
	"strings"
)

// Gate outcomes, and the run's verdict over its gates.
const (
	GatePass         = "pass"
	GateFail         = "fail"
	GateInconclusive = "inconclusive" // untrusted run, or the figure does not exist in it
)

// GateResult is one gate judged on a report.
type GateResult struct {
	Expr   string `json:"expr"`
	Status string `json:"status"` // GatePass, GateFail or GateInconclusive
	// Observed is the figure as measured ("3.2s", "12", "never"), empty when there is none.
	Observed string `json:"observed"`
	// Reason says why a gate is inconclusive or invalid.
	Reason string `json:"reason,omitempty"`
}

// Evaluate judges g on r. An untrusted run makes every gate inconclusive.
func (g Gate) Evaluate(r *Report) GateResult {
	res := GateResult{Expr: g.Expr}
	v, why := g.field.get(r)
	if why != "" {
		res.Status, res.Reason = GateInconclusive, why
		return res
	}
	res.Observed = formatValue(v, g.field.kind)
	switch {
	case !r.Trust.Trusted:
		res.Status = GateInconclusive
		res.Reason = "untrusted run: " + strings.Join(r.Trust.Reasons, "; ")
	case compare(v, g.Op, g.Value):
		res.Status = GatePass
	default:
		res.Status = GateFail
	}
	return res
}

// EvaluateGates parses and judges each expression on r; an expression that does not parse
// fails, its error as the reason.
func EvaluateGates(exprs []string, r *Report) []GateResult {
	out := make([]GateResult, 0, len(exprs))
	for _, e := range exprs {
		g, err := ParseGate(e)
		if err != nil {
			out = append(out, GateResult{Expr: e, Status: GateFail, Reason: err.Error()})
			continue
		}
		out = append(out, g.Evaluate(r))
	}
	return out
}

// Outcome is the verdict over gates: GateFail if any failed, else GateInconclusive if any
// was, else GatePass; VerdictNone without gates. A failed gate fails the run (exit 1).
func Outcome(gates []GateResult) string {
	if len(gates) == 0 {
		return VerdictNone
	}
	v := GatePass
	for _, g := range gates {
		switch g.Status {
		case GateFail:
			return GateFail
		case GateInconclusive:
			v = GateInconclusive
		}
	}
	return v
}

// compare applies op to v and want.
func compare(v float64, op string, want float64) bool {
	switch op {
	case "<":
		return v < want
	case "<=":
		return v <= want
	case ">":
		return v > want
	case ">=":
		return v >= want
	case "==":
		return v == want
	}
	return v != want
}

// formatValue writes a gate figure in its unit.
func formatValue(v float64, k valueKind) string {
	if math.IsInf(v, 1) {
		return "never"
	}
	switch k {
	case kindDuration:
		return Duration(math.Round(v * 1e6)).String()
	case kindPercent:
		return trimFloat(v, 3) + "%"
	}
	return trimFloat(v, 3)
}
