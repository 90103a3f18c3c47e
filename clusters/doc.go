// Package clusters declares what a backend is to the harness: something that brings a mesh up
// from a Spec and tears it down. Implementations live in subpackages and return the interface;
// the harness never knows which one it drives. Today there is one, local (every component a
// process on loopback); a program offers its backends to the harness in a Registry.
//
// Abilities only some backends have are optional interfaces of Mesh, checked by type assertion:
// Injector (realize a Chaos Mesh fault), PolicySetter (apply a MeshPolicy) and MetricsSource
// (the proxies' admin APIs, each with the transport that reaches it).
package clusters
