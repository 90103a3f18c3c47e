package load

import (
	"sync"
	"time"
)

// clock is the Pacer Attack hands vegeta: the profile, plus the exact start of the attack and a
// switch that stops it at once.
//
// Vegeta takes its start time, then calls Pace(time.Since(start), 0) before its first hit, so
// time.Now() − elapsed at that call is vegeta's own start, give or take a preemption between
// vegeta reading its clock and this call. Every later Pace call, tick and result happens after
// it, so the start is known (and safe to read) by the time any result arrives. The schedule runs
// from this start, not from vegeta's elapsed: were the two a preemption apart, every hit would
// be due that much before began + At, and be sent "early" (negative send lags of 2–3 ms under
// -race on a busy host).
//
// The clock waits for each hit itself, on a timer that a halt cuts short, and tells vegeta to
// wait no more: vegeta's own sleep cannot be interrupted, and a wait can be long (a pause
// between steps, the slow start of a ramp).
type clock struct {
	Profile

	once  sync.Once
	ready chan struct{} // closed once began is set
	began time.Time

	haltOnce sync.Once
	halted   chan struct{}
}

func newClock(p Profile) *clock {
	return &clock{Profile: p, ready: make(chan struct{}), halted: make(chan struct{})}
}

// Pace implements vegeta.Pacer: it learns the start on the first call, waits until hit number
// hits is due, and stops after the schedule or once halted.
func (c *clock) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	c.once.Do(func() {
		c.began = time.Now().Add(-elapsed)
		close(c.ready)
	})
	wait, stop := c.Profile.Pace(time.Since(c.began), hits)
	if stop || c.isHalted() {
		return 0, true
	}
	if wait > 0 {
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-c.halted:
			return 0, true
		}
	}
	return 0, false
}

// halt makes the attack stop: at once if it is waiting for a hit, else at its next Pace.
func (c *clock) halt() { c.haltOnce.Do(func() { close(c.halted) }) }

func (c *clock) isHalted() bool {
	select {
	case <-c.halted:
		return true
	default:
		return false
	}
}

// start is when the attack began; ok is false until vegeta paced its first hit.
func (c *clock) start() (began time.Time, ok bool) {
	select {
	case <-c.ready:
		return c.began, true
	default:
		return time.Time{}, false
	}
}

// intended is the time hit seq was due. Call it only for a result vegeta returned.
func (c *clock) intended(seq uint64) time.Time {
	<-c.ready
	return c.began.Add(c.At(seq))
}
