// Package proctest checks, for tests, what a run left behind: processes by pid and listening
// sockets by port, read from /proc (Linux); and it gives tests loopback peers that refuse
// (DeadAddr) or never answer (SilentAddr).
package proctest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/meshlab/meshlab/rundir"
)

// Record is one line of a run's processes.jsonl.
type Record struct {
	ID    string            `json:"id"`
	PID   int               `json:"pid"`
	Addrs map[string]string `json:"addrs"`
}

// ReadRecords reads <dir>/processes.jsonl.
func ReadRecords(dir string) ([]Record, error) {
	f, err := os.Open(filepath.Join(dir, rundir.Processes))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var recs []Record
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("processes.jsonl: %w", err)
		}
		recs = append(recs, r)
	}
	return recs, sc.Err()
}

// Alive reports whether pid is a live (not zombie) process.
func Alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// ListeningInodes returns the socket inodes listening on TCP port on any local address.
func ListeningInodes(port int) []string {
	var inodes []string
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fields := strings.Fields(line)
			if len(fields) < 10 || fields[3] != "0A" { // 0A = LISTEN
				continue
			}
			local := fields[1]
			i := strings.LastIndexByte(local, ':')
			if p, err := strconv.ParseUint(local[i+1:], 16, 16); err == nil && int(p) == port {
				inodes = append(inodes, fields[9])
			}
		}
	}
	return inodes
}

// socketOwners maps socket inode → pids holding it open, over every process we can read.
func socketOwners() map[string][]int {
	owners := map[string][]int{}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range procs {
		target, err := os.Readlink(fd)
		if err != nil || !strings.HasPrefix(target, "socket:[") {
			continue
		}
		pid, _ := strconv.Atoi(strings.Split(fd, "/")[2])
		inode := strings.TrimSuffix(strings.TrimPrefix(target, "socket:["), "]")
		owners[inode] = append(owners[inode], pid)
	}
	return owners
}

// Leftovers lists every recorded process still alive and every recorded port still listening
// in a process of the run (the recorded pids plus extra, e.g. the harness's own): a port a
// parallel test bound since then is someone else's and not reported.
func Leftovers(recs []Record, extra ...int) []string {
	ours := map[int]bool{}
	for _, p := range extra {
		ours[p] = true
	}
	var left []string
	for _, r := range recs {
		ours[r.PID] = true
		if Alive(r.PID) {
			left = append(left, fmt.Sprintf("%s pid %d still running", r.ID, r.PID))
		}
	}
	owners := socketOwners()
	for _, r := range recs {
		for name, addr := range r.Addrs {
			_, ps, err := net.SplitHostPort(addr)
			if err != nil {
				continue
			}
			p, _ := strconv.Atoi(ps)
			for _, inode := range ListeningInodes(p) {
				for _, pid := range owners[inode] {
					if ours[pid] && Alive(pid) {
						left = append(left, fmt.Sprintf("%s %s port %d still listening in pid %d", r.ID, name, p, pid))
					}
				}
			}
		}
	}
	return left
}

// DeadAddr returns a loopback address where connecting is refused, and keeps it so until
// release: its port stays bound, without listening and without SO_REUSEADDR, so no other
// listener can take it. (A listener closed at once frees its port, and a test running beside
// may be given it: the "dead" endpoint then answers.)
func DeadAddr() (addr string, release func(), err error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return "", nil, err
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return "", nil, err
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return "", nil, err
	}
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port), func() { syscall.Close(fd) }, nil
}

// DeadAddrFor is DeadAddr for a test: the address is released when t ends.
func DeadAddrFor(t testing.TB) string {
	t.Helper()
	addr, release, err := DeadAddr()
	if err != nil {
		t.Fatalf("dead address: %v", err)
	}
	t.Cleanup(release)
	return addr
}

// SilentAddr is a loopback address that accepts connections and never answers on them: a hung
// peer. Each accepted connection is signalled on accepted (dropped when 64 wait unread); the
// listener and every connection are closed when t ends.
func SilentAddr(t testing.TB) (addr string, accepted <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("silent address: %v", err)
	}
	ch := make(chan struct{}, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return ln.Addr().String(), ch
}
