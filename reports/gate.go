package reports

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrGate is wrapped by every error of a gate expression.
var ErrGate = errors.New("invalid gate")

// Gate is a parsed gate expression: `<path> <op> <value>`, e.g. `failover.timeToRecover < 5s`.
type Gate struct {
	Expr  string
	Path  []string // segments, quotes removed
	Op    string   // <, <=, >, >=, ==, !=
	Value float64  // in the field's unit: milliseconds, percent (0–100) or a plain number
	Unit  string   // as written: "ms", "s", "%" or ""
	field field
}

// gateOps in the order they are matched: two-character operators first.
var gateOps = []string{"<=", ">=", "==", "!=", "<", ">"}

// ParseGate parses expr and resolves its path; an unknown field is an error. Fault, phase and
// route names are checked by CheckGate. Paths (a segment with dots or spaces in double quotes):
//
//	failover.timeToRecover|timeToDetect           the worst over injected faults (duration)
//	failover.requestsFailed|requestsSlowed|ejections  summed (number); retryAmplification: max
//	faults.<name>.<any of the above>              one fault
//	slo.availability|latency.budgetSpent|achieved (percent)
//	overall.<figure>, phase.<name>.<figure>, route."<route>".<figure>
//	  figure: latency.p50|p90|p99|p999|max|mean, sendLag.p99 (duration), successPercent
//	  (percent), requests, throughput, achievedRate (number)
//
// Operators: < <= > >= == !=. Values: durations need a unit (us, ms, s, m); percentages take
// "%" or a plain number on 0–100; numbers are plain. A fault never recovered from has
// timeToRecover "never", which fails every upper bound.
func ParseGate(expr string) (Gate, error) {
	i, op := findOp(expr)
	if i < 0 {
		return Gate{}, fmt.Errorf("%w %q: no comparison (one of < <= > >= == !=)", ErrGate, expr)
	}
	g := Gate{Expr: strings.TrimSpace(expr), Op: op}
	var err error
	if g.Path, err = splitPath(strings.TrimSpace(expr[:i])); err != nil {
		return Gate{}, fmt.Errorf("%w %q: %w", ErrGate, expr, err)
	}
	if g.field, err = resolve(g.Path); err != nil {
		return Gate{}, fmt.Errorf("%w %q: %w", ErrGate, expr, err)
	}
	if g.Value, g.Unit, err = parseValue(strings.TrimSpace(expr[i+len(op):]), g.field.kind); err != nil {
		return Gate{}, fmt.Errorf("%w %q: %w", ErrGate, expr, err)
	}
	return g, nil
}

// CheckGate parses expr and checks the fault, phase and route names it uses: faults must be
// among faultNames, phases must be baseline, fault:<fault> or recovery:<fault> (with any
// "@…" or "#n" suffix), routes one of scenarios.Routes or OtherRoute. For the scenario loader.
func CheckGate(expr string, faultNames []string) error {
	g, err := ParseGate(expr)
	if err != nil {
		return err
	}
	if err := checkNames(g.Path, faultNames); err != nil {
		return fmt.Errorf("%w %q: %w", ErrGate, expr, err)
	}
	return nil
}

// findOp finds the first comparison operator outside quotes.
func findOp(expr string) (int, string) {
	quoted := false
	for i := 0; i < len(expr); i++ {
		if expr[i] == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		for _, op := range gateOps {
			if strings.HasPrefix(expr[i:], op) {
				return i, op
			}
		}
	}
	return -1, ""
}

// splitPath splits a path at dots outside double quotes.
func splitPath(p string) ([]string, error) {
	var segs []string
	var cur strings.Builder
	quoted, wasQuoted := false, false
	for _, r := range p {
		switch {
		case r == '"':
			quoted, wasQuoted = !quoted, true
		case r == '.' && !quoted:
			segs = append(segs, cur.String())
			cur.Reset()
			wasQuoted = false
		case (r == ' ' || r == '\t') && !quoted:
			return nil, fmt.Errorf("space in path %q (quote names with spaces)", p)
		default:
			cur.WriteRune(r)
		}
	}
	if quoted {
		return nil, fmt.Errorf("unterminated quote in %q", p)
	}
	segs = append(segs, cur.String())
	for _, s := range segs {
		if s == "" && !wasQuoted {
			return nil, fmt.Errorf("empty segment in path %q", p)
		}
	}
	return segs, nil
}

// parseValue reads a number with an optional unit fitting kind.
func parseValue(s string, k valueKind) (float64, string, error) {
	num, unit := s, ""
	for _, u := range []string{"ms", "µs", "us", "s", "m", "%"} {
		if n, ok := strings.CutSuffix(s, u); ok {
			num, unit = strings.TrimSpace(n), u
			break
		}
	}
	x, err := strconv.ParseFloat(num, 64)
	if err != nil || s == "" {
		return 0, "", fmt.Errorf("value %q is not a number with an optional unit (ms, s, %%)", s)
	}
	switch {
	case k == kindDuration && unit != "" && unit != "%":
		d, _ := time.ParseDuration(strings.ReplaceAll(num+unit, "µs", "us"))
		if unit == "ms" || unit == "s" || unit == "us" || unit == "µs" || unit == "m" {
			return float64(d) / 1e6, unit, nil
		}
	case k == kindPercent && (unit == "%" || unit == ""):
		return x, unit, nil
	case k == kindNumber && unit == "":
		return x, unit, nil
	}
	return 0, "", fmt.Errorf("value %q does not fit a %s field", s, k)
}
