# usagescan: make build | test | bench | demo
GO ?= go
BIN ?= bin/usagescan

.PHONY: build test bench demo fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/usagescan

# go vet + the race-enabled test suite; CI runs this (.ci/run).
test:
	$(GO) vet ./...
	$(GO) test -race ./...

# Generates a 1.2 GB realistic synthetic log tree (once) and times usagescan on it
# (pure scan, default run on a fresh home, again with nothing new), and ccusage too
# when installed; BENCH_LEAN=1 and BENCH_STORE=1 add more (see README, Performance).
bench: build
	bash scripts/bench.sh

# The main job on the bundled fixtures, as on a normal machine: no flags, logs
# found under $$HOME/.claude (here a home folder shipped in fixtures/).
demo: build
	HOME=$(CURDIR)/fixtures/basic-home TZ=UTC ./$(BIN)

# A short fuzz run of the line parser.
fuzz:
	$(GO) test ./parser -run '^$$' -fuzz FuzzReader -fuzztime 30s

clean:
	rm -rf bin
