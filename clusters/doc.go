// Package clusters declares what a backend is to the harness: something that brings a mesh up
// from a Spec and tears it down. Implementations live in subpackages (local: processes on
// loopback; kind: containers on a kind cluster) and return the interface; the harness never
// knows which one it drives. Abilities only some backends have (injecting a fault, killing an
// instance) are optional interfaces checked by type assertion.
package clusters
