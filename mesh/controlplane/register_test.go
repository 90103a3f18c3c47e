package controlplane

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/meshlab/meshlab/internal/proctest"
)

// leaveBound is the requirement: a watcher sees an instance that exited leave within 1 s.
const leaveBound = time.Second

// awaitLeave measures how long after start the watcher saw id leave.
func awaitLeave(t *testing.T, rec *recorder, id string, start time.Time) time.Duration {
	t.Helper()
	left := rec.await(t, id+" leave", func(s Snapshot) bool { return !has(s, id) })
	took := left.at.Sub(start)
	t.Logf("%s left the watcher's snapshot %v after its end", id, took)
	return took
}

func TestRegisterAndLeaveOnCancel(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{})
	c := NewClient(ts.url, meshtest.Logger(t))
	_, cancelA := register(t, c, instance("user-1", "user"))
	register(t, c, instance("order-1", "order"))
	rec := watch(t, ts.url)
	got := rec.await(t, "both instances", func(s Snapshot) bool { return len(ids(s)) == 2 })
	assert.Equal(t, []string{"order-1", "user-1"}, ids(got.snap))

	start := time.Now()
	cancelA()
	assert.Less(t, awaitLeave(t, rec, "user-1", start), leaveBound)
	assert.Equal(t, []string{"order-1"}, ids(ts.cp.Snapshot()))
}

// killableDialer gives a Client connections it can cut all at once, refusing new ones after:
// what a process's death does to its sockets.
type killableDialer struct {
	mu    sync.Mutex
	dead  bool
	conns []net.Conn
}

func (d *killableDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dead {
		return nil, errors.New("process is dead")
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err == nil {
		d.conns = append(d.conns, conn)
	}
	return conn, err
}

func (d *killableDialer) kill() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dead = true
	for _, conn := range d.conns {
		conn.Close()
	}
}

func TestLeaveOnConnectionLoss(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{})
	c := NewClient(ts.url, meshtest.Logger(t))
	d := &killableDialer{}
	c.hc.Transport.(*http.Transport).DialContext = d.DialContext
	register(t, c, instance("payment-1", "payment"))
	rec := watch(t, ts.url)
	rec.await(t, "payment-1", func(s Snapshot) bool { return has(s, "payment-1") })

	start := time.Now()
	d.kill()
	assert.Less(t, awaitLeave(t, rec, "payment-1", start), leaveBound)
}

// helperURLEnv makes the test binary a registrant process for TestLeaveOnSIGKILL.
const helperURLEnv = "CONTROLPLANE_TEST_REGISTRANT_URL"

// TestHelperRegistrant is no test of its own: TestLeaveOnSIGKILL runs the test binary as a
// process that registers an instance, says so on stdout and waits to be killed.
func TestHelperRegistrant(t *testing.T) {
	url := os.Getenv(helperURLEnv)
	if url == "" {
		t.Skip("registrant process of TestLeaveOnSIGKILL")
	}
	reg := NewClient(url, nil).Register(context.Background(), instance("killed-1", "order"))
	<-reg.Registered()
	fmt.Println("registered")
	time.Sleep(time.Minute)
}

func TestLeaveOnSIGKILL(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a process")
	}
	ts := startServer(t, ServerOptions{})
	rec := watch(t, ts.url)
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHelperRegistrant$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperURLEnv+"="+ts.url)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	registered := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "registered" {
				close(registered)
			}
		}
	}()
	select {
	case <-registered:
	case <-time.After(wait):
		t.Fatal("registrant process did not register")
	}
	rec.await(t, "killed-1", func(s Snapshot) bool { return has(s, "killed-1") })

	start := time.Now()
	require.NoError(t, cmd.Process.Kill())
	assert.Less(t, awaitLeave(t, rec, "killed-1", start), leaveBound)
	_ = cmd.Wait()
}

func TestReadiness(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{})
	c := NewClient(ts.url, meshtest.Logger(t))
	reg, _ := register(t, c, instance("product-1", "product"))
	rec := watch(t, ts.url)
	rec.await(t, "product-1", func(s Snapshot) bool { return has(s, "product-1") })

	for _, ready := range []bool{false, true, false, true} {
		start := time.Now()
		reg.SetReady(ready)
		got := rec.await(t, fmt.Sprintf("product-1 ready=%v", ready),
			func(s Snapshot) bool { return has(s, "product-1") == ready })
		took := got.at.Sub(start)
		t.Logf("ready=%v seen after %v", ready, took)
		assert.Less(t, took, leaveBound)
	}
}

func TestRegisteredNotReady(t *testing.T) {
	t.Parallel()
	ts := startServer(t, ServerOptions{})
	c := NewClient(ts.url, meshtest.Logger(t))
	inst := instance("order-2", "order")
	inst.Ready = false
	reg, _ := register(t, c, inst)
	assert.Empty(t, ids(ts.cp.Snapshot()), "a registered instance that is not ready is not served")

	reg.SetReady(true)
	rec := watch(t, ts.url)
	rec.await(t, "order-2 ready", func(s Snapshot) bool { return has(s, "order-2") })
}

func TestRegisterAbandonsHungControlPlane(t *testing.T) {
	t.Parallel()
	hung, accepted := proctest.SilentAddr(t) // a control plane that accepts connections and never answers
	c := NewClient(hung, meshtest.Logger(t))
	c.ackTimeout = 200 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	reg := c.Register(ctx, instance("user-1", "user"))
	defer func() {
		cancel()
		<-reg.Done()
	}()
	for i := range 2 {
		select {
		case <-accepted:
		case <-time.After(wait):
			t.Fatalf("connection %d not made: the client waits on the hung control plane", i+1)
		}
	}
}
