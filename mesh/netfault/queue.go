package netfault

import (
	"net"
	"os"
	"time"
)

// queue puts b on the send queue with its delivery time, or writes it at once when no rule
// applies and nothing is queued. It blocks only while MaxQueue bytes wait (backpressure).
func (c *conn) queue(rules []*ruleState, b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.waitSpace(len(b)); err != nil {
		return 0, err
	}
	if len(rules) == 0 && c.pending == 0 {
		c.mu.Unlock()
		defer c.mu.Lock()
		return c.Conn.Write(b)
	}
	due := later(c.lastDue, time.Now().Add(c.draw(rules, len(b))))
	c.lastDue = due
	c.items = append(c.items, item{buf: append([]byte(nil), b...), due: due})
	c.pending += len(b)
	c.shaped.Store(true)
	if !c.running {
		c.running = true
		go c.deliver()
	}
	return len(b), nil
}

// waitSpace waits, c.mu held, until n more bytes fit the queue (an empty queue takes any).
func (c *conn) waitSpace(n int) error {
	var timeout <-chan time.Time
	for {
		switch {
		case c.closed || c.isDone():
			return net.ErrClosed
		case c.werr != nil:
			return c.werr
		case c.pending == 0 || c.pending+n <= MaxQueue:
			return nil
		}
		if dl := deadline(&c.wdl); timeout == nil && !dl.IsZero() {
			t := time.NewTimer(time.Until(dl))
			defer t.Stop()
			timeout = t.C
		}
		c.mu.Unlock()
		select {
		case <-c.space:
		case <-c.done:
		case <-timeout:
			c.mu.Lock()
			return os.ErrDeadlineExceeded
		}
		c.mu.Lock()
	}
}

// draw is the time one write spends in flight, c.mu held: every rule's delay plus an RTO per
// loss, doubling on consecutive losses of this connection.
func (c *conn) draw(rules []*ruleState, n int) time.Duration {
	var d time.Duration
	lost := false
	for _, r := range rules {
		if r.Delay != nil {
			d += r.drawDelay()
			r.count.delayed.Add(1)
		}
		r.drawDuplicate(n)
		for i := 0; r.lossy() && i < MaxRetransmits && r.drawLost(); i++ {
			d += c.rto
			c.rto = min(2*c.rto, MaxRTO)
			lost = true
		}
	}
	if !lost {
		c.rto = InitialRTO
	}
	return d
}

// deliver sends queued writes in order at their due times, then exits; the last one out
// closes a closed connection.
func (c *conn) deliver() {
	for {
		c.mu.Lock()
		if len(c.items) == 0 || c.werr != nil {
			c.items, c.pending, c.running = nil, 0, false
			closed := c.closed
			c.mu.Unlock()
			c.signalSpace()
			if closed {
				_ = c.Conn.Close()
			}
			return
		}
		it := c.items[0]
		c.mu.Unlock()
		err := c.send(it)
		c.mu.Lock()
		c.items[0] = item{}
		c.items = c.items[1:]
		c.pending -= len(it.buf)
		if err != nil && c.werr == nil {
			c.werr = err
		}
		c.mu.Unlock()
		c.signalSpace()
	}
}

func (c *conn) isDone() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func (c *conn) signalSpace() {
	select {
	case c.space <- struct{}{}:
	default:
	}
}

// send waits for it's due time, then past any partition, then for bandwidth, and writes.
func (c *conn) send(it item) error {
	if d := time.Until(it.due); d > 0 {
		time.Sleep(d)
	}
	if err := c.hold(false); err != nil {
		return err
	}
	var limited []*ruleState
	for _, r := range c.e.set.Load().match(c.peer) {
		if r.bw != nil {
			limited = append(limited, r)
		}
	}
	if len(limited) == 0 {
		_, err := c.Conn.Write(it.buf)
		return err
	}
	return c.throttle(limited, it.buf)
}

// throttle writes buf in pieces that pass every bucket of limited.
func (c *conn) throttle(limited []*ruleState, buf []byte) error {
	chunk := len(buf)
	for _, r := range limited {
		chunk = min(chunk, r.bw.chunk())
	}
	for len(buf) > 0 {
		n := min(chunk, len(buf))
		for _, r := range limited {
			passBucket(r, n)
		}
		if _, err := c.Conn.Write(buf[:n]); err != nil {
			return err
		}
		buf = buf[n:]
	}
	return nil
}

// passBucket waits until r's bucket lets n bytes through; a full queue drops them and they are
// retransmitted after an RTO, doubling.
func passBucket(r *ruleState, n int) {
	rto := InitialRTO
	for {
		wait, ok := r.bw.take(n, time.Now())
		if ok {
			if wait > 0 {
				r.count.throttled.Add(int64(n))
				time.Sleep(wait)
			}
			return
		}
		r.count.dropped.Add(1)
		time.Sleep(rto)
		rto = min(2*rto, MaxRTO)
	}
}
