// Package stress realizes a StressChaos inside a service process, the way stress-ng and
// memStress do inside the target container under Chaos Mesh.
//
// A Stressor runs at most one Spec at a time:
//
//	Apply(spec) ──► CPU workers:    W goroutines, each locked to an OS thread, burning L % of
//	                                one CPU in 10 ms slices (sqrt loop, as --cpu-method sqrt)
//	           └──► memory workers: W goroutines, each mapping size/W bytes, touching every
//	                                page and holding it
//	Stop()     ──► workers exit, mappings are released, RSS falls
//
// Because the workers live in the service's own process, the service sees the same contention
// (CPU time, resident memory) it would see from a stressor sharing its container and cgroup.
// Sizes follow Chaos Mesh units (see ParseSize). Linux only: it reads /proc and maps memory
// with mmap.
package stress
