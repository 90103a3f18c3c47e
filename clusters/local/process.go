package local

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/meshlab/meshlab/mesh/proc"
)

// process is one supervised meshd process: a container of a pod, or the gateway, or the
// control plane. It is restarted after the restart delay whenever it exits unless the mesh is
// going down.
type process struct {
	id    string // "payment-1/sidecar", "gateway", "controlplane"
	m     *localMesh
	args  func() []string            // re-evaluated at every start: peers' addresses may have moved
	files func() ([]*os.File, error) // inherited descriptors after the ready pipe (fd 4…), fresh per start

	onStart func(addrs map[string]string) error // after each ready start: restores what the process must hold

	held atomic.Bool // pod-failure: no restart while held

	mu    sync.Mutex
	cmd   *exec.Cmd
	addrs map[string]string
	exits int
	done  chan struct{} // closed when the current incarnation has exited
}

// Addrs returns the current incarnation's listener addresses (nil while down).
func (p *process) Addrs() map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addrs
}

// PID returns the current incarnation's pid, or 0 while down.
func (p *process) PID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.addrs == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// launch starts one incarnation and waits for its ready line.
func (p *process) launch(ctx context.Context) error {
	logf, err := os.OpenFile(p.m.logPath(p.id), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	defer pr.Close()

	cmd := exec.Command(p.m.meshd, p.args()...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.ExtraFiles = []*os.File{pw}
	if p.files != nil {
		files, err := p.files()
		if err != nil {
			pw.Close()
			return err
		}
		defer closeAll(files) // the child has its copies once started
		cmd.ExtraFiles = append(cmd.ExtraFiles, files...)
	}
	cmd.Env = append(os.Environ(), proc.EnvReadyFD+"=3", proc.EnvToken+"="+p.m.spec.Token)
	err = start(cmd)
	pw.Close()
	if err != nil {
		return fmt.Errorf("starting %s: %w", p.id, err)
	}
	done := make(chan struct{})
	p.mu.Lock()
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
	go p.wait(cmd, done)

	ready, err := readReady(ctx, pr, done, p.m.opts.StartTimeout)
	if err != nil {
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("%s did not become ready: %w (log: %s)", p.id, err, p.m.logPath(p.id))
	}
	p.mu.Lock()
	p.addrs = ready.Addrs
	p.mu.Unlock()
	p.m.record(p.id, ready)
	if p.onStart != nil {
		if err := p.onStart(ready.Addrs); err != nil {
			// Unwired is not ready: take this incarnation down without a restart of its own
			// (the caller retries or fails).
			p.mu.Lock()
			p.addrs = nil
			p.mu.Unlock()
			_ = cmd.Process.Kill()
			<-done
			return fmt.Errorf("wiring %s: %w", p.id, err)
		}
	}
	return nil
}

// readReady reads the ready line, giving up when the process exits, ctx ends or timeout passes.
func readReady(ctx context.Context, r *os.File, exited <-chan struct{}, timeout time.Duration) (proc.Ready, error) {
	type res struct {
		line []byte
		err  error
	}
	ch := make(chan res, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadBytes('\n')
		ch <- res{line, err}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case got := <-ch:
		if got.err != nil {
			return proc.Ready{}, errors.New("exited before reporting ready")
		}
		return proc.ParseReady(got.line)
	case <-exited:
		return proc.Ready{}, errors.New("exited before reporting ready")
	case <-t.C:
		return proc.Ready{}, fmt.Errorf("no ready line within %s", timeout)
	case <-ctx.Done():
		return proc.Ready{}, ctx.Err()
	}
}

// wait reaps one incarnation, then, unless the mesh is stopping, unwires it and restarts it after
// the restart delay, as a ReplicaSet recreates a pod.
func (p *process) wait(cmd *exec.Cmd, done chan struct{}) {
	err := cmd.Wait()
	p.mu.Lock()
	wasReady := p.addrs != nil
	p.addrs = nil
	p.exits++
	p.mu.Unlock()
	close(done)
	if p.m.stopping() || !wasReady {
		return
	}
	if !p.m.pendRestart() {
		return
	}
	p.m.log.Warn("process exited; restarting after delay", "id", p.id, "err", err, "delay", p.m.restartDelay())
	go p.m.restart(p)
}

// stop sends SIGTERM, then SIGKILL after grace (or as soon as ctx ends), and waits for the
// exit until ctx ends, but at least killWait after the SIGKILL; a process still there then
// is an error.
func (p *process) stop(ctx context.Context, grace time.Duration) error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	default:
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-t.C:
	case <-ctx.Done():
	}
	_ = cmd.Process.Kill()
	killed := time.NewTimer(killWait)
	defer killed.Stop()
	select {
	case <-done:
		return nil
	case <-killed.C:
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s (pid %d) did not exit after SIGKILL", p.id, cmd.Process.Pid)
	}
}

// killWait is how long stop waits for a killed process to be reaped even when its context has
// already ended: a SIGKILLed process is gone within milliseconds.
const killWait = 500 * time.Millisecond

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// hold keeps the process from being restarted while on; when turned off, a process held down
// starts at once (a cold start, as when Chaos Mesh restores a pod-failure's images).
func (p *process) hold(on bool) { p.held.Store(on) }
