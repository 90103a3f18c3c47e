package main

import (
	"fmt"
	"strings"

	"github.com/meshlab/meshlab/reports"
)

// gateVerdict turns a report's gates into the command's outcome: a failed gate is errFailed
// (exit 1); inconclusive gates — an untrusted run, or a figure the run lacks — say so on the
// output and exit 0, since the run proved nothing either way; passed gates, or none, are nil.
func gateVerdict(s Streams, r *reports.Report) error {
	switch r.Verdict {
	case reports.GateFail:
		var failed []string
		for _, g := range r.Gates {
			if g.Status == reports.GateFail {
				failed = append(failed, fmt.Sprintf("%s (observed %s)", g.Expr, orNone(g.Observed, g.Reason)))
			}
		}
		return fmt.Errorf("%w: %d of %d gates failed: %s", errFailed, len(failed), len(r.Gates), strings.Join(failed, "; "))
	case reports.GateInconclusive:
		fmt.Fprintln(s.Out, "gates inconclusive: the run cannot be trusted or lacks a figure, so its gates neither pass nor fail:")
		for _, g := range r.Gates {
			if g.Status == reports.GateInconclusive {
				fmt.Fprintf(s.Out, "  %s: %s\n", g.Expr, g.Reason)
			}
		}
	case reports.GatePass:
		fmt.Fprintf(s.Out, "gates: all %d passed\n", len(r.Gates))
	}
	return nil
}

func orNone(v, alt string) string {
	if v != "" {
		return v
	}
	if alt != "" {
		return alt
	}
	return "none"
}
