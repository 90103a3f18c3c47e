#!/usr/bin/env bash
# check-layering: the seams between the harness and its backends, as `make lint` and CI check
# them. The harness reaches a mesh only through the clusters interfaces and the admin API's
# wire contract (mesh/adminapi), never the data plane's own packages; the CLI names a concrete
# backend in one registry function (cmd/meshlab/backends.go) and nowhere else (`meshlab kind`,
# `image` and `clean` build node images, clusters and the mesh image, and clean up; they run
# no scenario); meshd, which
# every sidecar runs, links no Kubernetes client. The test-support packages (internal/proctest,
# meshtest, identitytest, testbin) serve tests only: no other package depends on them.
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

named=$(grep -lE "\"$mod/clusters/[a-z]+\"" $(git ls-files 'cmd/meshlab/*.go' | grep -v '_test.go$' | grep -v '^cmd/meshlab/backends.go$' | grep -vE '^cmd/meshlab/(kind|image|clean).go$') || true)
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
support="$mod/internal/(proctest|meshtest|identitytest|testbin)"
uses=$(go list -f '{{.ImportPath}}: {{join .Deps " "}}' ./... | grep -vE "^$support:" | grep -E " $support( |\$)" | cut -d: -f1 || true)
if [ -n "$uses" ]; then
  echo "packages that depend on a test-support package (internal/proctest, meshtest, identitytest, testbin):" >&2
  echo "$uses" | sed 's/^/  /' >&2
  fail=1
fi
exit $fail
