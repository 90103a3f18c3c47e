package local

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/meshlab/meshlab/clusters"
	"github.com/meshlab/meshlab/scenarios"
)

// pod is one service instance: its sidecar and its service process. Like a pod's containers
// they share an address (ip) and fixed ports: the service listens on appPort through every
// restart and calls out through the sidecar's outbound listener on outPort; the sidecar probes
// the service for its readiness. Neither is ever told where the other is.
//
//	mesh ──▶ sidecar inbound (ip:0) ──▶ service http (ip:appPort) ◀── sidecar's readiness probe
//	         sidecar outbound (ip:outPort) ◀── service (calls to other services)
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
	appPort  int
	outPort  int
}

// newPods lays out one pod per replica, services in call order, each with its fixed ports.
func (m *localMesh) newPods() ([]*pod, error) {
	var pods []*pod
	t := m.spec.Topology
	for s, svc := range scenarios.Services {
		for i := 0; i < t.Replicas[svc]; i++ {
			p := &pod{m: m, id: fmt.Sprintf("%s-%d", svc, i), service: svc, version: t.VersionOf(svc, i), ordinal: i,
				workTime: t.ServiceTime[svc].WorkFlag(), ip: podIP(s, i)}
			var err error
			if p.appPort, err = m.ports.reserve(p.ip); err != nil {
				return nil, fmt.Errorf("pod %s: %w", p.id, err)
			}
			if p.outPort, err = m.ports.reserve(p.ip); err != nil {
				return nil, fmt.Errorf("pod %s: %w", p.id, err)
			}
			p.sidecar = &process{id: p.id + "/sidecar", m: m, args: p.sidecarArgs,
				onStart: func(map[string]string) error { return m.restoreFaults(p.id) }}
			p.app = &process{id: p.id + "/service", m: m, args: p.serviceArgs}
			pods = append(pods, p)
		}
	}
	return pods, nil
}

// start brings the sidecar up, then the service.
func (p *pod) start(ctx context.Context) error {
	if err := p.sidecar.launch(ctx); err != nil {
		return err
	}
	return p.app.launch(ctx)
}

func (p *pod) addr(port int) string { return net.JoinHostPort(p.ip, strconv.Itoa(port)) }

func (p *pod) sidecarArgs() []string {
	t := p.m.spec.Topology
	return []string{"sidecar", "--service", p.service, "--instance", p.id, "--version", p.version,
		"--controlplane", p.m.controlPlaneURL(), "--timeout", t.Timeout.String(),
		"--retries", fmt.Sprint(*t.Retries), "--ip", p.ip, "--app", p.addr(p.appPort),
		"--inbound", p.ip + ":0", "--outbound", p.addr(p.outPort), "--admin", p.ip + ":0",
		"--namespace", p.m.namespace(), "--workers", fmt.Sprint(*t.ProxyWorkers)}
}

func (p *pod) serviceArgs() []string {
	return []string{"service", "--service", p.service, "--instance", p.id,
		"--seed", fmt.Sprint(p.m.spec.Seed), "--work", p.workTime,
		"--listen", p.addr(p.appPort), "--admin", p.ip + ":0", "--outbound", "http://" + p.addr(p.outPort)}
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

func filepathSafe(id string) string { return strings.ReplaceAll(id, "/", "-") }
