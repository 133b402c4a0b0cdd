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
# found under $$HOME/.claude (here a home folder shipped in fixtures/); then the
# recommendation, and the same as an HTML page written outside the checkout.
DEMO_LOGS = --logs light=fixtures/recommend/light --logs steady=fixtures/recommend/steady --logs heavy=fixtures/recommend/heavy
# Nothing is written into the checkout: the binary, the history store and the
# page go to a fresh temporary folder (XDG_DATA_HOME), as on a new machine.
demo:
	@dir=$$(mktemp -d "$${TMPDIR:-/tmp}/usagescan-demo.XXXXXX") && \
	$(GO) build -o "$$dir/usagescan" ./cmd/usagescan && \
	export HOME=$(CURDIR)/fixtures/basic-home XDG_DATA_HOME="$$dir/data" XDG_CONFIG_HOME="$$dir/config" TZ=UTC && \
	"$$dir/usagescan" && echo && \
	USAGESCAN_NOW=2026-11-26T12:00:00Z "$$dir/usagescan" recommend $(DEMO_LOGS) && \
	USAGESCAN_NOW=2026-11-26T12:00:00Z "$$dir/usagescan" recommend $(DEMO_LOGS) --format html --out "$$dir/recommend.html" && \
	echo && echo "HTML recommendation: $$dir/recommend.html (open it in a browser)"

# A short fuzz run of the line parser.
fuzz:
	$(GO) test ./parser -run '^$$' -fuzz FuzzReader -fuzztime 30s

clean:
	rm -rf bin
