# meshlab — `make run` runs the baseline scenario on the local backend; `make test` runs the tests.
GO      ?= go
BIN     := bin
NAME    ?= baseline
ARGS    ?=
TESTFLAGS ?=

.PHONY: all build run scenario test test-short bench lint vet fmt clean

all: build

build:
	$(GO) build -o $(BIN)/ ./cmd/meshlab ./cmd/meshd

# `make run` runs the baseline; `make scenario run NAME=x` runs scenario x once.
run: build
	$(BIN)/meshlab scenario run $(NAME) $(ARGS)

scenario:
	@:

# Unit and integration tests: everything CI runs. Integration tests build meshd themselves.
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 18m $(TESTFLAGS) ./...

test-short:
	$(GO) test -short -race -count=1 ./...

bench: build
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 20m ./...

lint: vet
	@test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }

vet:
	$(GO) vet ./...

fmt:
	gofmt -w .

clean:
	rm -rf $(BIN) runs
