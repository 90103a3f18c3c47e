package scenarios

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/meshlab/meshlab/mesh/policy"
)

// APIVersion and Kind identify a scenario catalogue document.
const (
	APIVersion = "meshlab.dev/v1alpha1"
	Kind       = "ScenarioCatalog"
)

// Catalog is the top-level document of scenarios.yaml.
type Catalog struct {
	APIVersion string     `yaml:"apiVersion" json:"apiVersion"`
	Kind       string     `yaml:"kind" json:"kind"`
	Scenarios  []Scenario `yaml:"scenarios" json:"scenarios"`

	// File is the path the catalogue was loaded from (not part of the document).
	File string `yaml:"-" json:"-"`
	// Lines maps each field path the document holds ("scenarios[0].gates[1]") to its line;
	// see LineOf. Not part of the document.
	Lines map[string]int `yaml:"-" json:"-"`
}

// Scenario is one named run: a topology on a backend, a load, an SLO.
type Scenario struct {
	Name        string   `yaml:"name" json:"name"`
	Description string   `yaml:"description,omitempty" json:"description,omitempty"`
	Backend     string   `yaml:"backend,omitempty" json:"backend,omitempty"`     // "local" (default), "kind", "sim"
	Seed        uint64   `yaml:"seed,omitempty" json:"seed,omitempty"`           // 0: default seed 1
	Namespace   string   `yaml:"namespace,omitempty" json:"namespace,omitempty"` // default "default"
	Warmup      Duration `yaml:"warmup,omitempty" json:"warmup,omitempty"`       // excluded from figures; default 2s
	Topology    Topology `yaml:"topology,omitempty" json:"topology"`
	Load        Load     `yaml:"load" json:"load"`
	SLO         SLO      `yaml:"slo,omitempty" json:"slo"`

	// Policy is the mesh policy in force from the start of the run; nil: the default policy.
	Policy *policy.MeshPolicy `yaml:"policy,omitempty" json:"policy,omitempty"`
	// PolicyChanges replace the policy at offsets from the start of the attack.
	PolicyChanges []PolicyChange `yaml:"policyChanges,omitempty" json:"policyChanges,omitempty"`
	// Faults are Chaos Mesh objects, each injected at its offset from the start of the attack.
	Faults []FaultSpec `yaml:"faults,omitempty" json:"faults,omitempty"`
	// Gates are expressions over report fields (`failover.timeToRecover < 5s`) that the run
	// must pass; a failed gate fails the run. The reports package checks their fields (the
	// harness calls it at load time): here they must only be non-empty.
	Gates []string `yaml:"gates,omitempty" json:"gates,omitempty"`
}

// PolicyChange is a policy applied At an offset from the start of the attack.
type PolicyChange struct {
	At     Duration          `yaml:"at,omitempty" json:"at,omitempty"`
	Policy policy.MeshPolicy `yaml:"policy" json:"policy"`
}

// FaultSpec is one scenario fault: a Chaos Mesh object (apiVersion chaos-mesh.org/v1alpha1,
// kind, metadata, spec) kept verbatim, plus meshlab's At, its offset from the start of the
// attack (default 0). In YAML and JSON it is the object's own mapping with an extra "at" key.
type FaultSpec struct {
	At Duration
	// Object is the Chaos Mesh object as compact JSON, without "at".
	Object json.RawMessage
}

// Services are the four business services of the reference mesh, in call order.
var Services = []string{"user", "product", "order", "payment"}

// DefaultReplicas is the replica count per service when a topology is silent.
var DefaultReplicas = map[string]int{"user": 2, "product": 2, "order": 2, "payment": 3}

// Topology shapes the mesh a scenario runs on.
type Topology struct {
	// Replicas per service; a missing service gets DefaultReplicas.
	Replicas map[string]int `yaml:"replicas,omitempty" json:"replicas,omitempty"`
	// Versions labels some replicas of a service with another version than v1, for canary
	// splits: {payment: {v2: 1}} makes the last payment replica version v2.
	Versions map[string]map[string]int `yaml:"versions,omitempty" json:"versions,omitempty"`
	// ServiceTime per service: the work time each instance spends per request.
	ServiceTime map[string]ServiceTime `yaml:"serviceTime,omitempty" json:"serviceTime,omitempty"`
	// RestartDelay is how long the supervisor waits before restarting an instance that exited
	// (a ReplicaSet's back-off). Default 1s.
	RestartDelay Duration `yaml:"restartDelay,omitempty" json:"restartDelay,omitempty"`
	// PropagationDelay is how long after an instance goes away the mesh still lists it, as
	// Kubernetes takes a moment (kubelet → EndpointSlice → xDS push) to drop a deleted pod from
	// every proxy; 0 (default): at once. A pod-kill scenario that wants Kubernetes' window of
	// errors sets it (about 1s).
	PropagationDelay Duration `yaml:"propagationDelay,omitempty" json:"propagationDelay,omitzero"`
	// Timeout is the sidecars' per-route request timeout. Default 5s.
	Timeout Duration `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	// Retries is the sidecars' basic retry count (retries after the first try, as Istio counts
	// them) for idempotent requests — GET/HEAD, or any request with an Idempotency-Key — on a
	// connect failure, a reset or a 503, each on another endpoint. Absent: 1; 0 turns retries off.
	Retries *int `yaml:"retries,omitempty" json:"retries,omitempty"`
	// ProxyWorkers is how many threads run each sidecar's Go code (its GOMAXPROCS), as
	// Linkerd's proxy runtime workers or Istio's proxy concurrency. Absent: 1, Linkerd's
	// default: a sidecar shares its pod's CPU with the app, and one worker spends the least
	// CPU per request; 0: one per core.
	ProxyWorkers *int `yaml:"proxyWorkers,omitempty" json:"proxyWorkers,omitempty"`
}

// ServiceTime is a per-instance work-time distribution: fixed, or lognormal with a median and a
// shape sigma, drawn from a seeded source.
type ServiceTime struct {
	Distribution string   `yaml:"distribution" json:"distribution"`         // "fixed" or "lognormal"
	Value        Duration `yaml:"value,omitempty" json:"value,omitempty"`   // fixed
	Median       Duration `yaml:"median,omitempty" json:"median,omitempty"` // lognormal
	Sigma        float64  `yaml:"sigma,omitempty" json:"sigma,omitempty"`   // lognormal shape (>0)
}

// Load is the open-model load the harness drives through the gateway.
type Load struct {
	// Profile is "constant" (default), "steps" or "ramp".
	Profile string `yaml:"profile,omitempty" json:"profile,omitempty"`
	// Rate is requests per second for "constant", and the start rate for "ramp".
	Rate float64 `yaml:"rate,omitempty" json:"rate,omitempty"`
	// To is the end rate of a "ramp".
	To float64 `yaml:"to,omitempty" json:"to,omitempty"`
	// Duration of the attack (constant, ramp). For steps the sum of the steps (its default).
	Duration Duration `yaml:"duration,omitempty" json:"duration,omitempty"`
	// Steps for the "steps" profile.
	Steps []Step `yaml:"steps,omitempty" json:"steps,omitempty"`
	// Mix is the weighted route mix; empty means DefaultMix.
	Mix []RouteWeight `yaml:"mix,omitempty" json:"mix,omitempty"`
	// Timeout is the client-side timeout per request. Default 10s.
	Timeout Duration `yaml:"timeout,omitempty" json:"timeout,omitempty"`
}

// Step is one constant-rate step of a "steps" load profile.
type Step struct {
	Rate     float64  `yaml:"rate" json:"rate"`
	Duration Duration `yaml:"duration" json:"duration"`
}

// RouteWeight is one route of the load mix and its weight.
type RouteWeight struct {
	Route  string  `yaml:"route" json:"route"` // one of Routes
	Weight float64 `yaml:"weight" json:"weight"`
}

// Routes are the gateway's public routes, as the load mix and reports name them.
var Routes = []string{
	"GET /users/{id}",
	"GET /products/{id}",
	"GET /products",
	"POST /orders",
	"POST /payments",
}

// DefaultMix is the route mix of a load that names none.
var DefaultMix = []RouteWeight{
	{Route: "GET /users/{id}", Weight: 30},
	{Route: "GET /products/{id}", Weight: 30},
	{Route: "GET /products", Weight: 10},
	{Route: "POST /orders", Weight: 20},
	{Route: "POST /payments", Weight: 10},
}

// SLO is a scenario's service-level objectives, judged at the client.
type SLO struct {
	Availability *AvailabilitySLO `yaml:"availability,omitempty" json:"availability,omitempty"`
	Latency      *LatencySLO      `yaml:"latency,omitempty" json:"latency,omitempty"`
}

// AvailabilitySLO requires good ÷ valid requests to be at least Objective.
type AvailabilitySLO struct {
	Objective Percent `yaml:"objective" json:"objective"`
}

// LatencySLO requires the share of requests answered under Threshold to be at least Objective.
type LatencySLO struct {
	Threshold Duration `yaml:"threshold" json:"threshold"`
	Objective Percent  `yaml:"objective" json:"objective"`
}

// Duration is a time.Duration written as a Go duration string ("250ms", "1m30s").
type Duration struct{ time.Duration }

// Percent is a percentage written as "99.9%" or a number (99.9); Value is on the 0–100 scale.
type Percent struct{ Value float64 }

// WorkFlag is the service time in meshd's --work syntax (services.ParseWorkTime): "fixed:5ms",
// "lognormal:median=5ms,sigma=0.6", or "" for none.
func (st ServiceTime) WorkFlag() string {
	switch st.Distribution {
	case "fixed":
		return "fixed:" + st.Value.String()
	case "lognormal":
		return fmt.Sprintf("lognormal:median=%s,sigma=%g", st.Median.String(), st.Sigma)
	}
	return ""
}
