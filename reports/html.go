package reports

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"strings"

	"github.com/meshlab/meshlab/rundir"
)

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct":     floorPercent,
	"plain":   plainPercent,
	"count":   count,
	"rate":    rate,
	"spent":   spent,
	"optDur":  optDur,
	"optNum":  optNum,
	"outcome": func(f FaultFailover) string { return outcome(f) },
	"deref":   func(x *float64) float64 { return *x },
}).Parse(htmlSource))

// htmlView is what the HTML template renders.
type htmlView struct {
	*Report
	Title, SLOLine, TrustLine string
	Plots                     []template.HTML
	SLOs                      []namedSLO
	Offsets                   map[string][2]string // fault name → injected, removed offsets
	Ejections                 []ejectionRow
}

// ejectionRow is an outlier ejection with its times as offsets into the run.
type ejectionRow struct {
	EjectionEvent
	AtOffset, UntilOffset string
}

// WriteHTML writes r as report.html: one self-contained page (no scripts, no external
// resources) with the verdict, inline SVG plots and the tables.
func (r *Report) WriteHTML(w io.Writer) error {
	v := htmlView{Report: r, SLOLine: strings.NewReplacer("**", "", "`", "").Replace(r.verdictLine()), SLOs: r.slos(), Offsets: map[string][2]string{},
		Title: fmt.Sprintf("%s · %s · seed %d", r.Run.Scenario, r.Run.Backend, r.Run.Seed)}
	v.TrustLine = "Trusted: " + r.trustDetail()
	if !r.Trust.Trusted {
		v.TrustLine = "Untrusted — gates are inconclusive: " + strings.Join(r.Trust.Reasons, "; ") + " (" + r.trustDetail() + ")"
	}
	for _, f := range r.Failover.Faults {
		v.Offsets[f.Name] = [2]string{r.offset(f.Injected), r.offset(f.Removed)}
	}
	for _, e := range r.Ejections {
		v.Ejections = append(v.Ejections, ejectionRow{EjectionEvent: e, AtOffset: r.offset(e.At), UntilOffset: r.offset(e.Until)})
	}
	for _, plot := range []func() (string, error){r.latencyPlot, r.trafficPlot, r.cdfPlot} {
		svg, err := plot()
		if err != nil {
			return err
		}
		v.Plots = append(v.Plots, template.HTML(svg)) // rendered by vgsvg from numbers and escaped names
	}
	return htmlTemplate.Execute(w, v)
}

// WriteHTMLFile writes r to dir/report.html, replacing it whole.
func WriteHTMLFile(dir string, r *Report) error {
	var b bytes.Buffer
	if err := r.WriteHTML(&b); err != nil {
		return fmt.Errorf("rendering %s: %w", rundir.ReportHTML, err)
	}
	return writeFileAtomic(filepath.Join(dir, rundir.ReportHTML), b.Bytes())
}
