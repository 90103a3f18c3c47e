package main

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// slackExecEnv holds the slack (in ns) a meshd re-executed itself to take, so that a kernel
// which does not keep it cannot make meshd loop.
const slackExecEnv = "MESHD_TIMER_SLACK_EXEC"

// setTimerSlack gives every thread of this process a timer slack of d: the kernel may fire a
// thread's timed sleeps up to d late, to coalesce wake-ups. A thread takes its slack from the
// thread that created it, and the Go runtime starts its monitor thread (sysmon) before main
// runs, so a slack set now would miss it: setTimerSlack sets the slack on the calling thread
// and re-executes the binary in place (same pid, arguments, environment and descriptors), so
// every thread of the new image inherits it. It returns only when the slack is already d, when
// d is 0 (keep the kernel's default), or on error; it must be called from the main goroutine,
// still on the first thread (see init), before any listener binds.
func setTimerSlack(d time.Duration) error {
	// The main goroutine is on the first thread (see init); it is released on every return.
	defer runtime.UnlockOSThread()
	if d < 0 {
		return fmt.Errorf("--timer-slack must be ≥ 0, got %v", d)
	}
	ns := strconv.FormatInt(d.Nanoseconds(), 10)
	if d == 0 || os.Getenv(slackExecEnv) == ns {
		return nil
	}
	cur, err := unix.PrctlRetInt(unix.PR_GET_TIMERSLACK, 0, 0, 0, 0)
	if err == nil && cur == int(d.Nanoseconds()) {
		return nil
	}
	if err := unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(d.Nanoseconds()), 0, 0, 0); err != nil {
		return fmt.Errorf("--timer-slack: %w", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("--timer-slack: %w", err)
	}
	env := append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, slackExecEnv+"=")
	}), slackExecEnv+"="+ns)
	err = syscall.Exec(exe, os.Args, env)
	return fmt.Errorf("--timer-slack: re-executing %s: %w", exe, err)
}

// timerSlack is the calling thread's timer slack (every thread of meshd has the same one).
func timerSlack() time.Duration {
	ns, err := unix.PrctlRetInt(unix.PR_GET_TIMERSLACK, 0, 0, 0, 0)
	if err != nil {
		return 0
	}
	return time.Duration(ns)
}
