package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/testbin"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}

// TestBadProcessFlags: a bad --timer-slack, --workers or --memory-limit stops meshd before it
// binds anything, naming the flag.
func TestBadProcessFlags(t *testing.T) {
	dir, err := testbin.Build()
	require.NoError(t, err)
	bin := filepath.Join(dir, "meshd")
	base := []string{"sidecar", "--service", "user", "--instance", "user-0", "--controlplane", "http://127.0.0.1:1"}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--timer-slack", "-1ms"}, "--timer-slack must be ≥ 0, got -1ms"},
		{[]string{"--workers", "-2"}, "--workers must be ≥ 0, got -2"},
		{[]string{"--memory-limit", "-5"}, "--memory-limit must be ≥ 0, got -5"},
	} {
		out, err := exec.Command(bin, append(base, tt.args...)...).CombinedOutput()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "%v: %s", tt.args, out)
		assert.Equal(t, 1, exit.ExitCode(), tt.args)
		assert.Contains(t, string(out), tt.want)
	}
}

// TestMonitorPollKeepsUserGODEBUG: the polling monitor is added to what GODEBUG already says,
// and a scheduler trace the user set (on or off) is left as set: the runtime takes the last.
func TestMonitorPollKeepsUserGODEBUG(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		polls    bool
	}{
		{"", monitorPollDebug, false},
		{"http2client=0", "http2client=0," + monitorPollDebug, false},
		{"schedtrace=1000", "schedtrace=1000", true},
		{"schedtrace=0", "schedtrace=0", false},
		{"schedtrace=1000,schedtrace=0", "schedtrace=1000,schedtrace=0", false},
		{"schedtrace=0,gctrace=1,schedtrace=5", "schedtrace=0,gctrace=1,schedtrace=5", true},
		{"schedtrace=x", "schedtrace=x", false},
	} {
		got, polls := withMonitorPoll(tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		assert.Equal(t, tt.polls, polls, tt.in)
	}
}

// TestWakeupFlagsTakeEffect: a sidecar re-executes itself into the wake-up settings its flags
// ask for — by default a polling monitor (GODEBUG) and the inherited timer slack; with
// --timer-slack a slack of its own on the process's first thread; with --monitor-poll=false
// an untouched GODEBUG — in place (same pid), and then serves. Read from /proc once it is
// ready (its control plane is unreachable, which a sidecar outlives).
func TestWakeupFlagsTakeEffect(t *testing.T) {
	dir, err := testbin.Build()
	require.NoError(t, err)
	own, err := os.ReadFile("/proc/self/timerslack_ns")
	require.NoError(t, err)
	inherited, err := strconv.Atoi(strings.TrimSpace(string(own)))
	require.NoError(t, err)
	for _, tt := range []struct {
		args    []string
		slackNs int
		godebug string
	}{
		{nil, inherited, "GODEBUG=gctrace=0," + monitorPollDebug},
		{[]string{"--timer-slack", "3ms"}, 3_000_000, "GODEBUG=gctrace=0," + monitorPollDebug},
		{[]string{"--monitor-poll=false"}, inherited, "GODEBUG=gctrace=0"},
	} {
		cmd := exec.Command(filepath.Join(dir, "meshd"), append([]string{"sidecar", "--service", "user",
			"--instance", "user-0", "--controlplane", "http://127.0.0.1:1"}, tt.args...)...)
		cmd.Env = append(os.Environ(), "GODEBUG=gctrace=0") // a user's setting, kept
		stderr, err := cmd.StderrPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		pid := cmd.Process.Pid
		ready := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				if strings.Contains(sc.Text(), "msg=ready") {
					ready <- true
				}
			}
			close(ready)
		}()
		select {
		case ok := <-ready:
			require.True(t, ok, "%v: meshd exited before it was ready", tt.args)
		case <-time.After(20 * time.Second):
			t.Fatalf("%v: meshd not ready after 20 s", tt.args)
		}
		slack, err := os.ReadFile(fmt.Sprintf("/proc/%d/timerslack_ns", pid))
		require.NoError(t, err)
		environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		require.NoError(t, err)
		assert.Equal(t, strconv.Itoa(tt.slackNs), strings.TrimSpace(string(slack)), tt.args)
		var godebug string
		for kv := range strings.SplitSeq(string(environ), "\x00") {
			if strings.HasPrefix(kv, "GODEBUG=") {
				godebug = kv
			}
		}
		assert.Equal(t, tt.godebug, godebug, tt.args)
	}
}
