#!/usr/bin/env bash
# check-layering: the seams between the harness and its backends, as `make lint` and CI check
# them. The harness reaches a mesh only through the clusters interfaces and the admin API's
# wire contract (mesh/adminapi), never the data plane's own packages; the CLI names a concrete
# backend in one registry function (cmd/meshlab/backends.go) and nowhere else; meshd, which
# every sidecar runs, links no Kubernetes client.
set -euo pipefail
cd "$(dirname "$0")/.."
mod=github.com/meshlab/meshlab
fail=0

dataplane=$(go list -deps ./harness/... | grep -E "^$mod/(mesh/(proxy|sidecar|gateway|controlplane|telemetry|services|faults|netfault|identity)|clusters/[^/]+)$" || true)
if [ -n "$dataplane" ]; then
  echo "harness imports packages it must reach only through clusters and mesh/adminapi:" >&2
  echo "$dataplane" | sed 's/^/  /' >&2
  fail=1
fi

named=$(grep -lE "\"$mod/clusters/[a-z]+\"" $(git ls-files 'cmd/meshlab/*.go' | grep -v '_test.go$' | grep -v '^cmd/meshlab/backends.go$') || true)
if [ -n "$named" ]; then
  echo "cmd/meshlab names a concrete backend outside backends.go:" >&2
  echo "$named" | sed 's/^/  /' >&2
  fail=1
fi
k8s=$(go list -deps ./cmd/meshd | grep -E '^(k8s\.io|sigs\.k8s\.io)/' || true)
if [ -n "$k8s" ]; then
  echo "meshd, which every sidecar runs, links Kubernetes packages (cmd/meshcp is the binary for them):" >&2
  echo "$k8s" | head -5 | sed 's/^/  /' >&2
  fail=1
fi
exit $fail
