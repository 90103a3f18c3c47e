package local

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/clusters/realize"
	"github.com/meshlab/meshlab/mesh/proc"
	"github.com/meshlab/meshlab/rundir"
)

// localMesh is a running local mesh.
type localMesh struct {
	opts  Options
	spec  clusters.Spec
	meshd string
	log   *slog.Logger
	began time.Time
	ready time.Duration

	cpLn    *net.TCPListener // the control plane's socket, owned here so its address is stable
	cp      *process
	gateway *process
	pods    []*pod

	ports  *portBook
	policy policyState
	faults *realize.Realizer // NetworkChaos, HTTPChaos, StressChaos

	stop      atomic.Bool
	stopMu    sync.Mutex      // orders counting a restart against Down's start
	life      context.Context // ends when Down begins: restart waits and relaunches end with it
	endLife   context.CancelFunc
	restarts  sync.WaitGroup
	downOnce  sync.Once
	downErr   error
	recordsMu sync.Mutex
}

// Up implements clusters.Backend.
func (b *backend) Up(ctx context.Context, spec clusters.Spec) (clusters.Mesh, error) {
	meshd, err := FindMeshd(b.opts.Meshd)
	if err != nil {
		return nil, err
	}
	spec.Topology.Default() // a copy: the caller's maps and pointers are replaced, not changed
	m := &localMesh{opts: b.opts, spec: spec, meshd: meshd, log: b.opts.Logger, began: time.Now(), ports: newPortBook()}
	m.life, m.endLife = context.WithCancel(context.Background())
	m.faults = realize.New(m)
	if err := os.MkdirAll(filepath.Join(spec.Dir, rundir.Logs), 0o755); err != nil {
		return nil, err
	}
	if err := m.up(ctx); err != nil {
		dctx, cancel := context.WithTimeout(context.Background(), 2*b.opts.StopGrace)
		defer cancel()
		_ = m.Down(dctx)
		return nil, err
	}
	m.ready = time.Since(m.began)
	m.log.Info("mesh ready", "gateway", m.GatewayURL(), "took", m.ready.Round(time.Millisecond))
	return m, nil
}

// up starts the control plane, every pod in parallel, then the gateway, and waits until the
// gateway routes to every instance.
func (m *localMesh) up(ctx context.Context) error {
	if err := m.startControlPlane(ctx); err != nil {
		return err
	}
	var err error
	if m.pods, err = m.newPods(); err != nil {
		return err
	}
	errs := make(chan error, len(m.pods))
	for _, p := range m.pods {
		go func(p *pod) { errs <- p.start(ctx) }(p)
	}
	var first error
	for range m.pods {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return first
	}
	if err := m.startGateway(ctx); err != nil {
		return err
	}
	return m.waitConverged(ctx)
}

func (m *localMesh) startControlPlane(ctx context.Context) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("binding control plane socket: %w", err)
	}
	m.cpLn = ln.(*net.TCPListener)
	m.cp = &process{
		id: "controlplane", m: m, onStart: m.restorePolicy,
		files: func() ([]*os.File, error) {
			f, err := m.cpLn.File()
			return []*os.File{f}, err
		},
		args: func() []string {
			return []string{"controlplane", "--listen-fd", "4", "--ca-dir", filepath.Join(m.spec.Dir, "ca"),
				"--propagation-delay", m.spec.Topology.PropagationDelay.String()}
		},
	}
	return m.cp.launch(ctx)
}

func (m *localMesh) controlPlaneURL() string { return "http://" + m.cpLn.Addr().String() }

func (m *localMesh) startGateway(ctx context.Context) error {
	t := m.spec.Topology
	m.gateway = &process{
		id: "gateway", m: m, onStart: func(map[string]string) error { return m.restoreFaults("gateway") },
		args: func() []string {
			return []string{"gateway", "--controlplane", m.controlPlaneURL(),
				"--timeout", t.Timeout.String(), "--retries", fmt.Sprint(*t.Retries),
				"--ip", GatewayIP, "--listen", GatewayIP + ":0", "--admin", GatewayIP + ":0",
				"--namespace", m.namespace()}
		},
	}
	return m.gateway.launch(ctx)
}

// GatewayURL implements clusters.Mesh.
func (m *localMesh) GatewayURL() string {
	if a := m.gateway.Addrs(); a != nil {
		return "http://" + a["http"]
	}
	return ""
}

// Ready implements clusters.Mesh.
func (m *localMesh) Ready() time.Duration { return m.ready }

// Workloads implements clusters.Mesh.
func (m *localMesh) Workloads() []clusters.Workload {
	w := make([]clusters.Workload, 0, len(m.pods)+1)
	for _, p := range m.pods {
		w = append(w, p.workload())
	}
	return append(w, clusters.Workload{ID: "gateway", App: "gateway", Version: "v1",
		Labels: map[string]string{"app": "gateway", "version": "v1"}, IP: GatewayIP})
}

func (m *localMesh) stopping() bool { return m.stop.Load() }

func (m *localMesh) restartDelay() time.Duration { return m.spec.Topology.RestartDelay.Duration }

func (m *localMesh) logPath(id string) string {
	return filepath.Join(m.spec.Dir, rundir.Logs, filepathSafe(id)+".log")
}

// record appends an incarnation to <run>/processes.jsonl: pid and addresses, for cleanup checks.
func (m *localMesh) record(id string, r proc.Ready) {
	m.recordsMu.Lock()
	defer m.recordsMu.Unlock()
	f, err := os.OpenFile(filepath.Join(m.spec.Dir, rundir.Processes), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		m.log.Warn("recording process", "id", id, "err", err)
		return
	}
	defer f.Close()
	b, _ := json.Marshal(ProcessRecord{ID: id, PID: r.PID, Addrs: r.Addrs, Started: time.Now()})
	_, _ = f.Write(append(b, '\n'))
}

// ProcessRecord is one line of <run>/processes.jsonl.
type ProcessRecord struct {
	ID      string            `json:"id"`
	PID     int               `json:"pid"`
	Addrs   map[string]string `json:"addrs"`
	Started time.Time         `json:"started"`
}

var _ clusters.Mesh = (*localMesh)(nil)

// namespace is the namespace of the workloads' SPIFFE identities.
func (m *localMesh) namespace() string { return cmp.Or(m.spec.Namespace, "default") }

// MetricsTargets implements clusters.MetricsSource: the admin API of the gateway and of every
// running sidecar, each reached on loopback with the run token.
func (m *localMesh) MetricsTargets() []clusters.MetricsTarget {
	var out []clusters.MetricsTarget
	add := func(workload string, p *process) {
		if at, ok := m.adminOf(p); ok {
			out = append(out, clusters.MetricsTarget{Workload: workload, Admin: at, Where: at.addr})
		}
	}
	add("gateway", m.gateway)
	for _, p := range m.pods {
		add(p.id, p.sidecar)
	}
	return out
}

var _ clusters.MetricsSource = (*localMesh)(nil)
