package reports

import (
	"encoding/xml"
	"fmt"
	"io"
)

type junitSuite struct {
	XMLName  xml.Name    `xml:"testsuite"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure"`
	Skipped   *junitMessage `xml:"skipped"`
	Output    string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes r's gates as junit.xml: one testsuite, one testcase per gate; a failed
// gate carries a failure, an inconclusive one is skipped.
func (r *Report) WriteJUnit(w io.Writer) error {
	s := junitSuite{Name: "meshlab gates: " + r.Run.Scenario, Tests: len(r.Gates), Cases: []junitCase{}}
	for _, g := range r.Gates {
		c := junitCase{Name: g.Expr, Classname: "meshlab." + r.Run.Scenario}
		if g.Observed != "" {
			c.Output = "observed: " + g.Observed
		}
		msg := fmt.Sprintf("observed %s", g.Observed)
		if g.Reason != "" {
			msg = g.Reason
		}
		switch g.Status {
		case GateFail:
			s.Failures++
			c.Failure = &junitMessage{Message: msg, Text: g.Expr + ": " + msg}
		case GateInconclusive:
			s.Skipped++
			c.Skipped = &junitMessage{Message: msg}
		}
		s.Cases = append(s.Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
