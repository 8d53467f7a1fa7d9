# Trolly. `make run` starts every layer on the dev config; `make test` is what CI runs.
GO       ?= go
BIN      := bin
FUZZTIME ?= 10s

.PHONY: build run test lint services clients unit fuzz-short bench bench-load bench-topology bench-noisy bench-vlogs proto tools check-generated clean

build:
	$(GO) build -o $(BIN)/trolly ./cmd/trolly

run: build
	$(BIN)/trolly all --config deploy/dev/trolly.yaml

# The whole suite, end-to-end test included: formatting and vet, generated code in sync,
# the servers and the real shippers the tests drive, every unit and integration test under
# the race detector, and a short run of every fuzzer.
test: lint check-generated services clients unit fuzz-short

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Starts the servers of the integration tests where they are installed but stopped.
services:
	scripts/services

# Installs rsyslog (Debian packages) and unpacks syslog-ng, for the shipper tests of test/e2e.
clients:
	scripts/clients

unit:
	$(GO) test -race -count=1 -timeout 30m ./...

fuzz-short:
	FUZZTIME=$(FUZZTIME) scripts/fuzz

# Micro-benchmarks of the hot paths, then the load generator: 1,000,000 access lines through
# `trolly all` on the embedded NATS queue and on the memory queue, side by side, 300,000
# through each layer as processes of their own on RabbitMQ and on the Kafka fake, and the
# noisy-neighbour scenario.
bench: build
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=2s ./ingest/... ./gateway/... ./processor/... ./queue/... ./search/... ./storage/... ./tenant/... ./api/...
	$(MAKE) bench-load bench-topology bench-noisy

bench-load: build
	$(GO) run ./cmd/trolly-load -spawn $(BIN)/trolly -queue nats,memory -lines 1000000

bench-topology: build services
	$(GO) build -o $(BIN)/kfake ./test/kfake
	$(GO) run ./cmd/trolly-load -spawn $(BIN)/trolly -topology rabbitmq -lines 300000
	$(GO) run ./cmd/trolly-load -spawn $(BIN)/trolly -topology kafka -kfake $(BIN)/kfake -lines 300000

bench-noisy: build
	$(GO) run ./cmd/trolly-load -spawn $(BIN)/trolly -scenario noisy

# Issue 14's side-by-side: the same 2,000,000 generated events into VictoriaLogs (as JSON
# lines) and into `trolly all` (as raw nginx lines), one after the other, and the same
# queries asked of both. The VictoriaLogs of go.mod's version is built into VLOGS_BIN
# (go install, from the module proxy) when it is missing or of another version.
VLOGS_BIN ?= $(HOME)/.cache/trolly-vlogs/victoria-logs
VLOGS_LINES ?= 2000000

bench-vlogs: build
	$(GO) run ./cmd/trolly-load -spawn $(BIN)/trolly -victorialogs $(VLOGS_BIN) -lines $(VLOGS_LINES)

# Protobuf generation with the plugins pinned in tools/go.mod; no remote registry.
tools:
	cd tools && $(GO) build -o ../$(BIN)/ tool

proto: tools
	$(BIN)/buf lint
	$(BIN)/buf generate

check-generated: proto
	@git diff --exit-code -- proto api/openapi || { echo "generated code is stale: run make proto and commit"; exit 1; }
	@untracked=$$(git ls-files --others --exclude-standard -- proto api/openapi); \
	  if [ -n "$$untracked" ]; then echo "generated files not committed: $$untracked"; exit 1; fi

clean:
	rm -rf $(BIN)
