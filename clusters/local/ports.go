package local

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
)

// A pod's container ports are fixed for its life, as a Deployment declares them: its service
// listens on one port of the pod's address through every restart, and its sidecar's outbound
// listener on another, so the sidecar always knows where to probe and forward to, and the
// service where to send its calls, and no process is told another's address after a restart.
// They are taken below the kernel's ephemeral range, so no connection leaving the pod's address
// can hold one as its local port while the process that listens on it restarts.

// ephemeralLowFile holds the kernel's ephemeral port range.
const ephemeralLowFile = "/proc/sys/net/ipv4/ip_local_port_range"

// Fixed ports are drawn from [minFixedPort, the ephemeral range's start).
const (
	minFixedPort      = 10000
	defaultEphemLow   = 32768
	maxPortCandidates = 500
)

// portBook hands out fixed ports for one mesh, never the same (address, port) twice.
type portBook struct {
	mu        sync.Mutex
	taken     map[string]bool // "ip:port"
	low, high int             // the range ports are drawn from: [low, high), high the ephemeral range's start
}

func newPortBook() *portBook {
	return &portBook{taken: map[string]bool{}, low: minFixedPort, high: ephemeralLow()}
}

// reserve finds a port on ip that is free now (a listener could bind it) and that this mesh
// has not handed out.
func (b *portBook) reserve(ip string) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for range maxPortCandidates {
		port := b.low + rand.IntN(b.high-b.low)
		addr := net.JoinHostPort(ip, strconv.Itoa(port))
		if b.taken[addr] {
			continue
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		ln.Close()
		b.taken[addr] = true
		return port, nil
	}
	return 0, fmt.Errorf("no free port on %s in [%d, %d) after %d tries", ip, b.low, b.high, maxPortCandidates)
}

// ephemeralLow is the start of the kernel's ephemeral port range (32768 when unknown).
func ephemeralLow() int {
	b, err := os.ReadFile(ephemeralLowFile)
	if err != nil {
		return defaultEphemLow
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return defaultEphemLow
	}
	low, err := strconv.Atoi(f[0])
	if err != nil || low <= minFixedPort+100 {
		return defaultEphemLow
	}
	return low
}
