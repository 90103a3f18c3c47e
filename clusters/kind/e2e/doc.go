// Package e2e proves a kind cluster on meshlab's offline node image is real (make kind-e2e):
// real kubelet, containerd, kube-proxy, CoreDNS, CNI and storage, checked through client-go
// against the cluster's API server. Its test runs only with MESHLAB_KIND_E2E=1 (it needs a
// Docker engine that runs privileged containers: make docker), so `make test` skips it.
package e2e
