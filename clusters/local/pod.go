package local

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/scenarios"
)

// pod is one service instance: its sidecar and its service process, wired to each other.
//
//	mesh ──▶ sidecar inbound ──▶ service http
//	         sidecar outbound ◀── service (calls to other services)
type pod struct {
	m        *localMesh
	id       string // "payment-1"
	service  string
	version  string
	ordinal  int
	sidecar  *process
	app      *process
	workTime string
	ip       string // the pod's own loopback address: its listeners bind it, its dials come from it
	wiring   sync.Mutex
}

// newPods lays out one pod per replica, services in call order.
func (m *localMesh) newPods() []*pod {
	var pods []*pod
	t := m.spec.Topology
	for s, svc := range scenarios.Services {
		for i := 0; i < t.Replicas[svc]; i++ {
			p := &pod{m: m, id: fmt.Sprintf("%s-%d", svc, i), service: svc, version: t.VersionOf(svc, i), ordinal: i,
				workTime: workTime(t.ServiceTime[svc]), ip: podIP(s, i)}
			p.sidecar = &process{id: p.id + "/sidecar", m: m, args: p.sidecarArgs, onStart: p.wire}
			p.app = &process{id: p.id + "/service", m: m, args: p.serviceArgs, onStart: p.wire, onExit: p.serviceExited}
			pods = append(pods, p)
		}
	}
	return pods
}

// start brings the sidecar up first (the service needs its outbound address), then the service.
func (p *pod) start(ctx context.Context) error {
	if err := p.sidecar.launch(ctx); err != nil {
		return err
	}
	return p.app.launch(ctx)
}

func (p *pod) sidecarArgs() []string {
	t := p.m.spec.Topology
	args := []string{"sidecar", "--service", p.service, "--instance", p.id, "--version", p.version,
		"--controlplane", p.m.controlPlaneURL(), "--timeout", t.Timeout.String(),
		"--retries", fmt.Sprint(*t.Retries), "--ip", p.ip,
		"--inbound", p.ip + ":0", "--outbound", p.ip + ":0", "--admin", p.ip + ":0",
		"--namespace", p.m.namespace(), "--workers", fmt.Sprint(*t.ProxyWorkers)}
	if a := p.app.Addrs(); a != nil {
		args = append(args, "--app", a["http"])
	}
	return args
}

func (p *pod) serviceArgs() []string {
	args := []string{"service", "--service", p.service, "--instance", p.id,
		"--seed", fmt.Sprint(p.m.spec.Seed), "--work", p.workTime,
		"--listen", p.ip + ":0", "--admin", p.ip + ":0"}
	if a := p.sidecar.Addrs(); a != nil {
		args = append(args, "--outbound", "http://"+a["outbound"])
	}
	return args
}

// wire connects the pod's two processes once both are up: the sidecar learns where its service
// listens (and reports ready), the service where its sidecar's outbound listener is. Either may
// have just (re)started, both may restart at once: wiring is idempotent and serialized.
func (p *pod) wire(map[string]string) error {
	p.wiring.Lock()
	defer p.wiring.Unlock()
	sc, app := p.sidecar.Addrs(), p.app.Addrs()
	if sc == nil || app == nil {
		return nil // the other one wires when it comes up
	}
	appAdmin, _ := p.m.adminOf(p.app)
	scAdmin, _ := p.m.adminOf(p.sidecar)
	ctx := context.Background()
	if err := appAdmin.call(ctx, "PUT", "/v1/outbound", map[string]string{"url": "http://" + sc["outbound"]}, nil); err != nil {
		return err
	}
	if err := scAdmin.call(ctx, "PUT", "/v1/app", map[string]string{"addr": app["http"]}, nil); err != nil {
		return err
	}
	return p.m.pushFaults(p.sidecar)
}

// serviceExited tells the sidecar its service is gone, as a kubelet marks a pod NotReady, so the
// instance leaves the endpoint set at once.
func (p *pod) serviceExited() {
	if at, ok := p.m.adminOf(p.sidecar); ok {
		if err := at.call(context.Background(), "PUT", "/v1/app", map[string]string{"addr": ""}, nil); err != nil {
			p.m.log.Warn("marking service down", "pod", p.id, "err", err)
		}
	}
}

func (p *pod) workload() clusters.Workload {
	return clusters.Workload{ID: p.id, App: p.service, Version: p.version,
		Labels: map[string]string{"app": p.service, "version": p.version}, IP: p.ip}
}

// Loopback addresses stand in for pod IPs (Linux routes all of 127.0.0.0/8 to lo): the gateway
// has GatewayIP, replica i of the s-th service 127.0.(10+s).(1+i). Network faults select peers
// by these addresses, as Chaos Mesh selects pod IPs.
const GatewayIP = "127.0.9.1"

func podIP(service, ordinal int) string { return fmt.Sprintf("127.0.%d.%d", 10+service, 1+ordinal) }

// workTime renders a scenario service time in meshd's --work syntax.
func workTime(st scenarios.ServiceTime) string {
	switch st.Distribution {
	case "fixed":
		return "fixed:" + st.Value.String()
	case "lognormal":
		return fmt.Sprintf("lognormal:median=%s,sigma=%g", st.Median.String(), st.Sigma)
	}
	return ""
}

func filepathSafe(id string) string { return strings.ReplaceAll(id, "/", "-") }
