//go:build !linux

package local

import "syscall"

// setDeathSignal is a no-op where Pdeathsig does not exist; the harness's own teardown on every
// exit path it can see is the best effort there.
func setDeathSignal(*syscall.SysProcAttr) {}
