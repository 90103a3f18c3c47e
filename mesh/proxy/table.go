package proxy

import (
	"maps"
	"sync"
	"sync/atomic"

	"github.com/meshlab/meshlab/mesh/controlplane"
)

// Endpoint is one instance a service's traffic can go to. An Endpoint is never changed once in
// a table; a later snapshot that lists the same instance at the same address reuses it, so
// per-endpoint state of later policies survives updates.
type Endpoint struct {
	ID     string            `json:"id"`
	Addr   string            `json:"addr"` // host:port of the instance's sidecar inbound listener
	Labels map[string]string `json:"labels,omitempty"`
	hash   uint64            // of ID: the instance's identity for rendezvous hashing

	inflight atomic.Int64 // tries in flight through a Registry's attempt chain (LEAST_REQUEST)
}

// Cluster is one service's endpoints at one snapshot version.
type Cluster struct {
	Service   string
	Endpoints []*Endpoint // sorted by ID, as the snapshot lists them
	rr        *atomic.Uint64
}

// tableState is one version of the whole table; it is never changed once published.
type tableState struct {
	version  uint64
	synced   bool // a snapshot was applied
	clusters map[string]*Cluster
}

// Table is the endpoint table: a Cluster per service, replaced whole by Update and read without
// locks. A service stays known once a snapshot listed it: when its last instance leaves, its
// Cluster is empty (503 no-endpoints), not gone.
type Table struct {
	cur      atomic.Pointer[tableState]
	mu       sync.Mutex                // serializes Update
	counters map[string]*atomic.Uint64 // round-robin position per service, kept across versions
}

// NewTable returns an empty table that has seen no snapshot.
func NewTable() *Table {
	t := &Table{counters: map[string]*atomic.Uint64{}}
	t.cur.Store(&tableState{clusters: map[string]*Cluster{}})
	return t
}

// Update replaces the table with snap's ready instances. snap is not changed or kept.
func (t *Table) Update(snap controlplane.Snapshot) {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.cur.Load()
	next := &tableState{version: snap.Version, synced: true, clusters: make(map[string]*Cluster, len(old.clusters))}
	for name := range old.clusters {
		next.clusters[name] = t.cluster(name, nil, old)
	}
	for name, insts := range snap.Services {
		next.clusters[name] = t.cluster(name, insts, old)
	}
	t.cur.Store(next)
}

// cluster builds service name's Cluster from insts, reusing old's unchanged endpoints.
func (t *Table) cluster(name string, insts []controlplane.Instance, old *tableState) *Cluster {
	rr := t.counters[name]
	if rr == nil {
		rr = new(atomic.Uint64)
		t.counters[name] = rr
	}
	var prev []*Endpoint
	if c := old.clusters[name]; c != nil {
		prev = c.Endpoints
	}
	eps := make([]*Endpoint, 0, len(insts))
	for _, in := range insts {
		eps = append(eps, endpointFor(in, prev))
	}
	return &Cluster{Service: name, Endpoints: eps, rr: rr}
}

// endpointFor returns prev's endpoint for in when it is unchanged, else a new one.
func endpointFor(in controlplane.Instance, prev []*Endpoint) *Endpoint {
	for _, ep := range prev {
		if ep.ID == in.ID && ep.Addr == in.Addr && maps.Equal(ep.Labels, in.Labels) {
			return ep
		}
	}
	return &Endpoint{ID: in.ID, Addr: in.Addr, Labels: maps.Clone(in.Labels), hash: mix64(hashString(in.ID))}
}

// Cluster returns service's endpoints; nil when no snapshot ever listed the service.
func (t *Table) Cluster(service string) *Cluster {
	return t.cur.Load().clusters[service]
}

// Known reports whether a snapshot ever listed service.
func (t *Table) Known(service string) bool { return t.Cluster(service) != nil }

// Synced reports whether the table has applied a snapshot.
func (t *Table) Synced() bool { return t.cur.Load().synced }

// TableView is the table as admin endpoints show it.
type TableView struct {
	SnapshotVersion uint64                 `json:"snapshotVersion"`
	Synced          bool                   `json:"synced"`
	Endpoints       map[string][]*Endpoint `json:"endpoints"`
}

// View returns the current table.
func (t *Table) View() TableView {
	s := t.cur.Load()
	v := TableView{SnapshotVersion: s.version, Synced: s.synced, Endpoints: make(map[string][]*Endpoint, len(s.clusters))}
	for name, c := range s.clusters {
		v.Endpoints[name] = c.Endpoints
	}
	return v
}
