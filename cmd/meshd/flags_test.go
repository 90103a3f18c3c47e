package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

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
