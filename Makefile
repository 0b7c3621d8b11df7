# batchtool — build, test, benchmark, fuzz and demo.
GO       ?= go
BIN      := bin/batchtool
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
FUZZTIME ?= 10s
BENCHTIME ?= 1s

.PHONY: all build test bench bench-ledger bench-peer fuzz demo clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/batchtool

# vet + every test, including the heap and corpus tests (corpus tests skip
# when ../shared is absent); then, when BATCHTOOL_TEST_POSTGRES names a
# PostgreSQL server (.ci/run starts one), the ledger's tests and the nightly
# job again with the ledger in PostgreSQL.
test:
	$(GO) vet ./...
	BATCHTOOL_TEST_POSTGRES= $(GO) test -count=1 -timeout 9m ./...
	@if [ -n "$$BATCHTOOL_TEST_POSTGRES" ]; then \
	  echo "== the ledger on PostgreSQL"; \
	  $(GO) test -count=1 -timeout 5m ./pkg/ledger && \
	  $(GO) test -count=1 -timeout 5m -run 'Postgres' ./cmd/batchtool; \
	else \
	  echo "PostgreSQL ledger tests skipped: BATCHTOOL_TEST_POSTGRES is not set (.ci/run starts a server)"; \
	fi

# Go benchmarks with MB/s (b.SetBytes) and allocations.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./pkg/...

# The ledger at scale: BENCH_N generated statement lines imported against
# BENCH_N open items, into SQLite and, when BATCHTOOL_TEST_POSTGRES names a
# server (`.ci/run bench-ledger` starts one), into PostgreSQL with 1, 2 and
# 4 workers; lines/s and peak RSS for each. The target run: BENCH_N=1000000.
BENCH_N ?= 100000
bench-ledger:
	BATCHTOOL_BENCH_N=$(BENCH_N) $(GO) test -run '^$$' -bench 'LedgerImport' -benchtime 1x -timeout 2h ./pkg/ledger

# Side-by-side benchmark against moov-io/iso20022 (separate module: its
# dependency graph stays out of batchtool's go.mod).
bench-peer:
	cd bench && $(GO) test -run '^$$' -bench . -benchmem

# Run every fuzz target for FUZZTIME each.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; \
	    $(GO) test $$pkg -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 50x; \
	  done; \
	done

# The main job on embedded defaults: see scripts/demo.sh.
demo: build
	./scripts/demo.sh $(BIN)

clean:
	rm -rf bin out demo
