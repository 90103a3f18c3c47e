package harness

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/meshlab/meshlab/scenarios"
)

// liveLine prints the run's progress: elapsed, rps over the last second, p99 over the last
// second, errors so far, the faults in force and — when the scenario sets an availability
// SLO — the error budget burnt so far: bad ÷ allowed of the requests measured after the
// warm-up. On a terminal it rewrites one line every second; elsewhere (CI logs) it prints a
// line every 5 seconds.
type liveLine struct {
	w        io.Writer
	tty      bool
	total    time.Duration
	start    time.Time
	measured time.Time     // end of the warm-up
	allowed  float64       // allowed bad share of the availability SLO; 0: none set
	active   func() string // faults in force; nil: none
	mu       sync.Mutex
	window   []time.Duration // latencies completed in the current second
	requests int
	errors   int
	valid    int // requests after the warm-up
	bad      int // of which bad (no response, 5xx, 429)
	stop     chan struct{}
	done     chan struct{}
}

func newLiveLine(w io.Writer, sc scenarios.Scenario, active func() string) *liveLine {
	now := time.Now()
	ll := &liveLine{w: w, total: sc.Load.Duration.Duration, start: now, measured: now.Add(sc.Warmup.Duration),
		active: active, stop: make(chan struct{}), done: make(chan struct{})}
	if a := sc.SLO.Availability; a != nil {
		ll.allowed = (100 - a.Objective.Value) / 100
	}
	if w == nil {
		close(ll.done)
		return ll
	}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			ll.tty = true
		}
	}
	go ll.loop()
	return ll
}

// Add records one result; it is called for every sample as it arrives.
func (ll *liveLine) Add(r *vegeta.Result) {
	ll.mu.Lock()
	ll.window = append(ll.window, r.Latency)
	ll.requests++
	bad := r.Code == 0 || r.Code >= 500 || r.Code == 429
	if bad {
		ll.errors++
	}
	if !r.Timestamp.Before(ll.measured) {
		ll.valid++
		if bad {
			ll.bad++
		}
	}
	ll.mu.Unlock()
}

func (ll *liveLine) loop() {
	defer close(ll.done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for n := 1; ; n++ {
		select {
		case <-ll.stop:
			if ll.tty {
				fmt.Fprintln(ll.w)
			}
			return
		case <-tick.C:
			line := ll.snapshot()
			switch {
			case ll.tty:
				fmt.Fprintf(ll.w, "\r\033[K%s", line)
			case n%5 == 0:
				fmt.Fprintln(ll.w, line)
			}
		}
	}
}

// snapshot renders the line and starts a new one-second window.
func (ll *liveLine) snapshot() string {
	ll.mu.Lock()
	lat := ll.window
	ll.window = make([]time.Duration, 0, len(lat))
	requests, errs, valid, bad := ll.requests, ll.errors, ll.valid, ll.bad
	ll.mu.Unlock()
	p99 := time.Duration(0)
	if len(lat) > 0 {
		slices.Sort(lat)
		p99 = lat[(len(lat)*99+99)/100-1]
	}
	elapsed := time.Since(ll.start).Truncate(time.Second)
	line := fmt.Sprintf("%s/%s  rps %d  p99 %s  requests %d  errors %d",
		elapsed, ll.total, len(lat), p99.Round(10*time.Microsecond), requests, errs)
	if ll.allowed > 0 {
		line += "  " + budgetBurn(bad, valid, ll.allowed)
	}
	if ll.active != nil {
		if a := ll.active(); a != "" {
			line += "  faults " + a
		}
	}
	return line
}

// budgetBurn renders the availability budget spent so far: bad of allowed, and the percent.
func budgetBurn(bad, valid int, allowedShare float64) string {
	allowed := allowedShare * float64(valid)
	if allowed == 0 {
		return fmt.Sprintf("budget %d/0", bad)
	}
	return fmt.Sprintf("budget %d/%.1f (%.0f%%)", bad, allowed, 100*float64(bad)/allowed)
}

// Close stops the line.
func (ll *liveLine) Close() {
	select {
	case <-ll.done:
		return
	default:
	}
	close(ll.stop)
	<-ll.done
}
