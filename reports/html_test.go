package reports

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/rundir"
)

func TestHTMLSelfContained(t *testing.T) {
	t.Parallel()
	m := faultMeta()
	m.Ejections = []EjectionEvent{{At: t0.Add(8100 * time.Millisecond), Until: t0.Add(19 * time.Second), Duration: Duration(10 * time.Second),
		By: "order-0", Service: "payment", Endpoint: "payment-1", Count: 1, Reason: "consecutive-gateway-errors"}}
	r := Analyze(m, outageRun(8*time.Second, 11*time.Second))
	var b bytes.Buffer
	require.NoError(t, r.WriteHTML(&b))
	s := b.String()
	assert.Contains(t, s, `<td class="n">&#43;6.1s</td><td>order-0</td><td>payment</td><td>payment-1</td><td class="n">10s</td>`, "ejections listed with their times")
	assert.Equal(t, 3, strings.Count(s, "<svg"), "three inline plots")
	assert.NotContains(t, s, "<script")
	for _, ref := range []string{`src="http`, `href="http`, `url(http`, `@import`} {
		assert.NotContains(t, s, ref, "no external resource")
	}
	assert.Contains(t, s, "fault:payment-kill")
	assert.Contains(t, s, "<code>failover.timeToRecover &lt; 5s</code>")
}

// chromium finds headless Chromium; under CI=true its absence fails the test.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found: under CI the HTML report must be checked in a real browser")
	}
	t.Skip("chromium not found")
	return ""
}

// TestHTMLInChromium loads report.html in headless Chromium, takes a screenshot and checks
// that the page logged no console error.
func TestHTMLInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	bin := chromium(t)
	dir := t.TempDir()
	m := faultMeta()
	m.PolicyChanges = []PolicyMark{{At: t0.Add(15 * time.Second), Name: "retries", Version: 2}}
	r := Analyze(m, outageRun(8*time.Second, 11*time.Second))
	require.NoError(t, WriteHTMLFile(dir, r))
	page := "file://" + filepath.Join(dir, rundir.ReportHTML)
	shot := filepath.Join(os.TempDir(), "meshlab-report-screenshot.png")
	_ = os.Remove(shot)

	out := runChromium(t, bin, dir, "--screenshot="+shot, "--window-size=1280,2000", page)
	fi, err := os.Stat(shot)
	require.NoError(t, err, "no screenshot; chromium said:\n%s", out)
	assert.Greater(t, fi.Size(), int64(10_000), "a blank page would be tiny")
	t.Logf("screenshot: %s", shot)
	assert.Empty(t, consoleLines(out), "the page has no script: any console message is an error")

	dom := runChromium(t, bin, dir, "--dump-dom", page)
	assert.Empty(t, consoleLines(dom))
	assert.Contains(t, dom, "<svg")
	assert.Contains(t, dom, "payment-kill")

	// The check sees console errors: a page that makes one is caught.
	bad := filepath.Join(dir, "bad.html")
	require.NoError(t, os.WriteFile(bad, []byte(`<html><body><script>console.error("boom")</script></body></html>`), 0o644))
	assert.NotEmpty(t, consoleLines(runChromium(t, bin, dir, "--dump-dom", "file://"+bad)))
}

// consoleLines are the console messages Chromium logged (--enable-logging=stderr).
func consoleLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, ":CONSOLE") {
			lines = append(lines, l)
		}
	}
	return lines
}

// runChromium runs headless Chromium with the given arguments and returns its output.
func runChromium(t *testing.T, bin, dir string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile"), "--enable-logging=stderr", "--v=0"}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "chromium: %s", out)
	return string(out)
}
