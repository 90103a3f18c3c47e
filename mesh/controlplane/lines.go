package controlplane

import (
	"bufio"
	"bytes"
	"io"
)

// lineReader reads lines from a request body in its own goroutine, so the handler can wait for
// a line, a timer and shutdown at once.
//
//	body ──Scan──▶ lines (each line, in order) ──▶ errs (io.EOF or the read error, once)
type lineReader struct {
	lines chan []byte
	errs  chan error
	quit  chan struct{}
	done  chan struct{}
}

func readLines(body io.Reader) *lineReader {
	lr := &lineReader{
		lines: make(chan []byte),
		errs:  make(chan error, 1),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go lr.run(body)
	return lr
}

func (lr *lineReader) run(body io.Reader) {
	defer close(lr.done)
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 512), maxLine)
	for sc.Scan() {
		select {
		case lr.lines <- bytes.Clone(sc.Bytes()):
		case <-lr.quit:
			return
		}
	}
	err := sc.Err()
	if err == nil {
		err = io.EOF
	}
	lr.errs <- err
}

// stop ends the reader: unblock must make a blocked read of the body fail. When it cannot, the
// reader ends with the connection instead, and stop does not wait for it.
func (lr *lineReader) stop(unblock func() error) {
	close(lr.quit)
	select {
	case <-lr.done:
		return // the body has ended: nothing to unblock
	default:
	}
	if unblock() == nil {
		<-lr.done
	}
}
