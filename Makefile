# meshlab — `make run` runs the baseline scenario on the local backend; `make test` runs the tests.
GO      ?= go
BIN     := bin
NAME    ?= baseline
ARGS    ?=
TESTFLAGS ?=

.PHONY: all build run scenario test test-short soak gated bench lint vet fmt clean

all: build

# Static binaries (no cgo): meshd needs nothing from libc, and not mapping it saves every sidecar
# 1.4 MiB of resident memory; a static meshd also runs in a scratch image. meshcp is the control
# plane on Kubernetes (meshd and meshcp make the image the kind and kube backends run).
build:
	CGO_ENABLED=0 $(GO) build -o $(BIN)/ ./cmd/meshlab ./cmd/meshd ./cmd/meshcp

# `make run` runs the baseline; `make scenario run NAME=x` runs scenario x once.
run: build
	$(BIN)/meshlab scenario run $(NAME) $(ARGS)

scenario:
	@:

# Unit and integration tests: everything CI runs. Integration tests build meshd themselves.
test:
	$(GO) vet ./...
	$(GO) test -p 1 -count=1 -timeout 18m $(TESTFLAGS) ./...

# compare with 5 repeats a side of a short scenario: same build twice is no regression,
# +5 ms per hop is one (about 3 × 5 × 12 s).
soak:
	MESHLAB_SOAK=1 $(GO) test -count=1 -timeout 20m -run 'TestCompareSameBuildAndSlowerHops' -v ./cmd/meshlab

# One short gated scenario, as CI runs it: prints report.md, exit 1 when a gate fails.
GATED ?= payment-pod-kill
gated: build
	rm -rf runs/ci-$(GATED)
	$(BIN)/meshlab scenario run $(GATED) -o runs/ci-$(GATED); rc=$$?; cat runs/ci-$(GATED)/report.md; exit $$rc

test-short:
	$(GO) test -short -race -count=1 ./...

# The end-to-end benchmarks time themselves (one iteration is a whole interleaved run); the
# micro-benchmarks need Go's own iteration counts.
MACRO_BENCH := ^(BenchmarkSidecarHop|BenchmarkThroughput)$$

bench: build
	$(GO) test -run '^$$' -bench '$(MACRO_BENCH)' -benchtime 1x -timeout 20m ./...
	$(GO) test -run '^$$' -bench . -skip '$(MACRO_BENCH)' -timeout 20m ./...

lint: vet
	@test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod/go.sum are not tidy: run go mod tidy"; $(GO) mod tidy -diff; exit 1; }
	@hack/check-layering.sh

vet:
	$(GO) vet ./...

fmt:
	gofmt -w .

clean:
	rm -rf $(BIN) runs

# Kubernetes (kind): a Docker engine that runs privileged containers, meshlab's offline kind node
# image (built from Go modules and Debian packages, cached under ~/.cache/meshlab/kind), the
# cluster of clusters/kind.yaml, and the end-to-end proof that it is a real cluster.
.PHONY: docker kind-image kind-up kind-down kind-e2e
KIND_E2E_TIMEOUT ?= 40m

docker:
	GO=$(GO) hack/docker.sh

kind-image: build
	$(BIN)/meshlab kind node-image

kind-up: build
	$(BIN)/meshlab kind up

kind-down: build
	$(BIN)/meshlab kind down

# The test binary runs by itself (not under `go test`), so an interrupt reaches it directly and
# it deletes the cluster before it exits.
kind-e2e: docker kind-image
	$(GO) test -c -o $(BIN)/kind-e2e.test ./clusters/kind/e2e
	cd clusters/kind/e2e && MESHLAB_KIND_E2E=1 ../../../$(BIN)/kind-e2e.test -test.v -test.count=1 -test.timeout $(KIND_E2E_TIMEOUT)
