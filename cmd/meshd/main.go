// Command meshd is the mesh's own binary: the control plane, the gateway, a sidecar or one of
// the four services, chosen by its first argument. It imports mesh/ only, so a sidecar stays
// small, and it is what the local backend starts as processes and the kind backend as containers.
//
//	meshd controlplane [--listen ADDR | --listen-fd N]
//	meshd gateway      --controlplane URL [--listen ADDR] [--timer-slack D] [--monitor-poll=B]
//	meshd sidecar      --service S --instance I --controlplane URL [--version V] [--workers N]
//	                   [--memory-limit MIB] [--timer-slack D] [--monitor-poll=B]
//	meshd service      --service S --instance I --outbound URL [--seed N] [--work DIST]
//
// Every role binds its listeners (port 0 by default), then reports them on the ready descriptor
// (mesh/proc), serves until SIGTERM or SIGINT, and shuts down gracefully.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

// init keeps the main goroutine on the process's first thread until its role has settled its
// wake-ups: settleWakeups may re-execute meshd, and only an exec from the first thread keeps
// the parent-death signal the local backend gave the process (a thread's own is 0).
func init() { runtime.LockOSThread() }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "meshd: %v\n", err)
		os.Exit(1)
	}
}

// roles maps a role name to its entry point.
var roles = map[string]func(ctx context.Context, args []string, log *slog.Logger) error{
	"controlplane": runControlPlane,
	"gateway":      runGateway,
	"sidecar":      runSidecar,
	"service":      runService,
}

// proxyRoles are the roles that take --timer-slack and --monitor-poll (settleWakeups).
var proxyRoles = map[string]bool{"gateway": true, "sidecar": true}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: meshd controlplane|gateway|sidecar|service [flags]")
	}
	role, ok := roles[args[0]]
	if !ok {
		return fmt.Errorf("unknown role %q (want controlplane, gateway, sidecar or service)", args[0])
	}
	if !proxyRoles[args[0]] {
		runtime.UnlockOSThread() // no wake-ups to settle (see init)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel()})).With("role", args[0])
	return role(ctx, args[1:], log)
}

func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("MESHD_LOG_LEVEL"))); err != nil {
		return slog.LevelInfo
	}
	return l
}
