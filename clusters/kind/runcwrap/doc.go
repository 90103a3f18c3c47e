// Package runcwrap edits the OCI runtime spec that a container engine hands to runc so that a
// container can start on a host whose capability bounding set lacks CAP_SYS_RESOURCE.
//
// Docker 20.10 asks for every capability for a --privileged container, and runc then fails with
// "unable to apply caps: operation not permitted"; one level down, inside a kind node, runc also
// fails when the spec lowers oom_score_adj or raises an rlimit, both of which need the same
// capability. Edit removes exactly those requests, only when the wrapper's own process lacks the
// capability, and leaves every other field as it was. cmd/meshlab-runc applies it to the spec
// named by runc's arguments (Target) and then execs the real runc with the same arguments.
package runcwrap
