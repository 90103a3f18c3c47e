package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Timeout bounds each request by its Route.Timeout: every try and the answer's body. A request
// whose time runs out before an answer fails with a 504 (timeout); one whose body is cut short
// by it ends as a broken answer.
func Timeout() Middleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return RoundTripFunc(func(req *http.Request) (*http.Response, error) {
			call := CallOf(req)
			if call == nil || call.Route.Timeout <= 0 {
				return next.RoundTrip(req)
			}
			parent := req.Context()
			ctx, cancel := context.WithTimeout(parent, call.Route.Timeout)
			resp, err := next.RoundTrip(req.WithContext(ctx))
			if err != nil {
				cancel()
				if deadlineEnded(ctx, parent) {
					return nil, &Error{Status: http.StatusGatewayTimeout, Reason: ReasonTimeout,
						Err: fmt.Errorf("no answer within %v: %w", call.Route.Timeout, err)}
				}
				return nil, err
			}
			resp.Body = cancelOnClose(resp.Body, cancel)
			return resp, nil
		})
	}
}

// deadlineEnded reports whether ctx's deadline, not parent's end, ended a call that failed
// under ctx.
func deadlineEnded(ctx, parent context.Context) bool {
	return !ended(parent) && DeadlineReached(ctx)
}

// DeadlineReached reports whether ctx's deadline has passed or ended it, whether or not its
// timer has fired yet: net.Dialer and crypto/tls arm their own timers from the deadline, and a
// dial cut short by one of them can return while ctx.Err() is still nil. A middleware inside
// Timeout asks it of a failed try to learn that Timeout will answer it with a 504.
func DeadlineReached(ctx context.Context) bool {
	return errors.Is(ctx.Err(), context.DeadlineExceeded) || passed(ctx)
}

// ended reports whether ctx was canceled or its deadline passed, its timer fired or not.
func ended(ctx context.Context) bool { return ctx.Err() != nil || passed(ctx) }

// passed reports whether ctx has a deadline and it is not in the future.
func passed(ctx context.Context) bool {
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

// cancelOnClose ends the deadline's timer when the answer's body is closed, keeping the body's
// ability to be written (101 Switching Protocols).
func cancelOnClose(body io.ReadCloser, cancel context.CancelFunc) io.ReadCloser {
	cb := cancelBody{ReadCloser: body, cancel: cancel}
	if w, ok := body.(io.Writer); ok {
		return &cancelRWBody{cancelBody: cb, Writer: w}
	}
	return &cb
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// cancelRWBody is a cancelBody that writes too.
type cancelRWBody struct {
	cancelBody
	io.Writer
}

var _ io.ReadWriteCloser = (*cancelRWBody)(nil)
