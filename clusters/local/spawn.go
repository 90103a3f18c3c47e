package local

import (
	"os/exec"
	"runtime"
	"sync"
	"syscall"
)

// Linux delivers Pdeathsig when the *thread* that forked the child exits, not the process, and
// the Go runtime may retire threads. All children are therefore forked from one goroutine locked
// to its thread for the life of the harness (golang/go#27505).
var (
	spawnOnce sync.Once
	spawnReqs chan spawnReq
)

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

// start starts cmd from the spawner thread, in its own process group, set to die with us.
func start(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawnReqs = make(chan spawnReq)
		go spawner()
	})
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	setDeathSignal(cmd.SysProcAttr)
	cmd.SysProcAttr.Setpgid = true
	req := spawnReq{cmd: cmd, done: make(chan error, 1)}
	spawnReqs <- req
	return <-req.done
}

func spawner() {
	runtime.LockOSThread() // never unlocked: this thread lives as long as the process
	for req := range spawnReqs {
		req.done <- req.cmd.Start()
	}
}
