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

// runtimeExecEnv holds the settings a meshd re-executed itself to take (see settleWakeups), so
// that a kernel or runtime which does not keep them cannot make meshd loop.
const runtimeExecEnv = "MESHD_RUNTIME_EXEC"

// monitorPollDebug is the GODEBUG setting that keeps Go's monitor thread (sysmon) polling. By
// default sysmon parks whenever every worker is idle, and the next system call any goroutine
// makes wakes it (a futex wake, and a context switch on another core); a proxy at 1,000 rps is
// idle between most requests, so nearly every request paid that wake-up on its path, and sysmon
// then polled at 20 µs again. The runtime never parks sysmon while a scheduler trace is on, and
// a polling sysmon with nothing to do backs off to one wake-up per 10 ms. The trace's period is
// the largest the runtime takes (2³¹−1 ms, 24.8 days): the runtime prints its one-line summary
// only when the system has been up that long, and then once per period.
const monitorPollDebug = "schedtrace=2147483647"

// settleWakeups tunes how often this process's threads wake when idle, before anything else
// runs: a timer slack of slack (the kernel may fire a thread's timed sleeps up to slack late, to
// coalesce wake-ups; 0 keeps the slack the process inherited) and, with poll, a polling monitor thread
// (monitorPollDebug). Neither can be set from inside a running Go program: a thread takes its
// slack from the thread that created it, sysmon starts before main, and the runtime reads
// GODEBUG's scheduler settings once, at start. So settleWakeups sets the slack on the calling
// thread and re-executes the binary in place (same pid, arguments and descriptors; GODEBUG
// extended), and every thread of the new image starts with both. It returns when nothing is
// left to change or on error; it must be called from the main goroutine, still on the first
// thread (see init), before any listener binds.
func settleWakeups(slack time.Duration, poll bool) error {
	// The main goroutine is on the first thread (see init); it is released on every return.
	defer runtime.UnlockOSThread()
	if slack < 0 {
		return fmt.Errorf("--timer-slack must be ≥ 0, got %v", slack)
	}
	want := fmt.Sprintf("slack=%d,poll=%t", slack.Nanoseconds(), poll)
	if os.Getenv(runtimeExecEnv) == want {
		return nil
	}
	slackOK := slack == 0 || timerSlack() == slack
	godebug, pollOK := withMonitorPoll(os.Getenv("GODEBUG"))
	if slackOK && (!poll || pollOK) {
		return nil
	}
	if !slackOK {
		if err := unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(slack.Nanoseconds()), 0, 0, 0); err != nil {
			return fmt.Errorf("--timer-slack: %w", err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("re-executing meshd: %w", err)
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, runtimeExecEnv+"=") || poll && strings.HasPrefix(kv, "GODEBUG=")
	})
	env = append(env, runtimeExecEnv+"="+want)
	if poll {
		env = append(env, "GODEBUG="+godebug)
	}
	err = syscall.Exec(exe, os.Args, env)
	return fmt.Errorf("re-executing %s: %w", exe, err)
}

// withMonitorPoll is godebug with monitorPollDebug added, and whether godebug already turns a
// scheduler trace on (which keeps sysmon polling too). A schedtrace the user set, on or off, is
// left as set.
func withMonitorPoll(godebug string) (string, bool) {
	set, on := false, false
	for kv := range strings.SplitSeq(godebug, ",") { // the runtime takes the last setting
		if k, v, ok := strings.Cut(kv, "="); ok && k == "schedtrace" {
			n, err := strconv.Atoi(v)
			set, on = true, err == nil && n > 0
		}
	}
	switch {
	case set:
		return godebug, on
	case godebug == "":
		return monitorPollDebug, false
	default:
		return godebug + "," + monitorPollDebug, false
	}
}

// monitorPolls reports whether this process's monitor thread polls (see monitorPollDebug).
func monitorPolls() bool {
	_, ok := withMonitorPoll(os.Getenv("GODEBUG"))
	return ok
}

// timerSlack is the calling thread's timer slack (every thread of meshd has the same one).
func timerSlack() time.Duration {
	ns, err := unix.PrctlRetInt(unix.PR_GET_TIMERSLACK, 0, 0, 0, 0)
	if err != nil {
		return 0
	}
	return time.Duration(ns)
}
