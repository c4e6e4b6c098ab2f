# triage — two commands matter:
#   make run    build, start on the embedded store with the demo data, print URL and token
#   make test   every test, lint and the evaluation gate
GO      ?= go
BIN     := bin/triage
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run test lint lint-go lint-js unit unit-go unit-js fuzz bench clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/triage

run: build
	./$(BIN) serve --demo

test: lint unit

lint: lint-go lint-js

lint-go:
	@unformatted=$$(find . -name '*.go' -not -path './node_modules/*' -exec gofmt -l {} +); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# The web UI's JavaScript and the OpenAPI document are checked with npm
# tools (package.json, pinned in package-lock.json): eslint, tsc
# --checkJs, node --test, and redocly lint (run by api's TestOpenAPILint).
NPM_STAMP := node_modules/.package-lock.json

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

lint-js: $(NPM_STAMP)
	npx --no-install eslint
	npx --no-install tsc -p tsconfig.json

unit: unit-go unit-js

# go test's default of 10 minutes a package is a hang detector, and
# cmd/triage (the binary, Chromium, Dovecot, PostgreSQL, the evaluation
# gate) comes near it on two cores shared with other builds.
unit-go: $(NPM_STAMP)
	$(GO) test -count=1 -timeout 30m ./...

unit-js: $(NPM_STAMP)
	node --test web/jstest/

# Longer fuzzing than the seed corpora that `make test` runs. The importer's
# seeds are whole sample exports; minimising an input that large takes the
# default minute each, so its minimisation is kept short.
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzCreateTicket -fuzztime $(FUZZTIME) ./api
	$(GO) test -run '^$$' -fuzz FuzzRouteBodies -fuzztime $(FUZZTIME) ./api
	$(GO) test -run '^$$' -fuzz FuzzNormalize -fuzztime $(FUZZTIME) ./segment
	$(GO) test -run '^$$' -fuzz FuzzMask -fuzztime $(FUZZTIME) ./pii
	$(GO) test -run '^$$' -fuzz FuzzMaskBody -fuzztime $(FUZZTIME) ./egress
	$(GO) test -run '^$$' -fuzz FuzzUnmarshalBinary -fuzztime $(FUZZTIME) ./classify
	$(GO) test -run '^$$' -fuzz 'FuzzCallbackOpen$$' -fuzztime $(FUZZTIME) ./wechat
	$(GO) test -run '^$$' -fuzz FuzzCallbackOpenSigned -fuzztime $(FUZZTIME) ./wechat
	for f in FuzzZendesk FuzzZammad FuzzFreshdesk FuzzGenericCSV FuzzGenericJSONL FuzzHTMLToText FuzzLoadMapping; do \
		$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./importer || exit 1; done
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./mail
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./password
	$(GO) test -run '^$$' -fuzz FuzzVerify -fuzztime $(FUZZTIME) ./totp
	$(GO) test -run '^$$' -fuzz FuzzOpen -fuzztime $(FUZZTIME) ./seal
	$(GO) test -run '^$$' -fuzz FuzzRedeem -fuzztime $(FUZZTIME) ./onetime
	$(GO) test -run '^$$' -fuzz FuzzClientIP -fuzztime $(FUZZTIME) ./limit
	$(GO) test -run '^$$' -fuzz FuzzSearch -fuzztime $(FUZZTIME) ./helpcentre
	$(GO) test -run '^$$' -fuzz FuzzPoWVerify -fuzztime $(FUZZTIME) ./limit
	$(GO) test -run '^$$' -fuzz FuzzOpenPending -fuzztime $(FUZZTIME) ./oidc
	$(GO) test -run '^$$' -fuzz FuzzClaims -fuzztime $(FUZZTIME) ./oidc

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The benchmarks of the search, indexing and prediction paths on the shared
# sets (skipped without them); add -cpuprofile/-memprofile to profile one
# package. Minutes: BenchmarkSearch builds an index of 100k chunks.
.PHONY: bench-speed bench-start
bench-speed:
	$(GO) test -run '^$$' -bench 'Benchmark(Search|Index)$$' -benchtime 2000x -timeout 60m ./bleve
	$(GO) test -run '^$$' -bench 'BenchmarkRetrieve' -benchtime 1000x ./eval
	$(GO) test -run '^$$' -bench 'BenchmarkPredictSets' -benchtime 2000x ./classify
	GOMAXPROCS=1 $(GO) test -run '^$$' -bench 'Benchmark(Words|Tokens)$$' -benchtime 3x ./segment

# The write path under load (README "Speed of writes"): tickets created
# over HTTP by 8 clients against a server started as `triage serve --demo`,
# on the embedded store and, when TRIAGE_TEST_POSTGRES is set, on
# PostgreSQL; prints creates/s, p50/p90/p99, CPU per create and how long
# the background work took to catch up. BENCH_HTTP_TIME=30s runs longer;
# BENCH_HTTP_FLAGS="-cpuprofile cpu.out" profiles it.
BENCH_HTTP_TIME ?= 10s
.PHONY: bench-http
bench-http:
	$(GO) test -run '^$$' -bench 'BenchmarkHTTP$$' -benchtime $(BENCH_HTTP_TIME) -timeout 30m $(BENCH_HTTP_FLAGS) ./cmd/triage

# Cold start of the built binary, `serve --demo` on an empty and on a filled
# data directory: median time to /readyz, CPU by then and idle RSS over
# START_RUNS starts each (cmd/triage BenchmarkStart).
START_RUNS ?= 5
bench-start: build
	TRIAGE_BIN=$(abspath $(BIN)) $(GO) test -run '^$$' -bench BenchmarkStart -benchtime $(START_RUNS)x -timeout 60m ./cmd/triage

clean:
	rm -rf bin node_modules

# The evaluation: see README "Evaluation".
SHARED ?= ../shared
.PHONY: bench-peers eval-baseline

# triage eval and the Python peers in $(SHARED)/peers on every set of
# $(SHARED)/data, whole dev splits, one table. Installs Debian's
# python3-jieba, python3-sklearn and python3-numpy when they are missing.
# BENCH_FLAGS="--queries 1000 --train 6000 --test 2000" gives both the same
# fixed-seed samples, for a run of minutes instead of most of an hour.
PYTHON ?= /usr/bin/python3
bench-peers: build
	@$(PYTHON) -c 'import jieba, sklearn, numpy' 2>/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y python3-jieba python3-sklearn python3-numpy; \
		else echo "bench-peers needs python3-jieba python3-sklearn python3-numpy: sudo apt-get install them"; exit 1; fi; }
	$(PYTHON) scripts/bench_peers.py --python $(PYTHON) --triage ./$(BIN) --data $(SHARED)/data --peers $(SHARED)/peers --out $(or $(OUT),$(shell mktemp -d)) $(BENCH_FLAGS)

# Rewrite eval/baseline/*.json from the current code (commit them with the
# reason the figures moved).
eval-baseline:
	TRIAGE_EVAL_UPDATE=1 TRIAGE_SHARED=$(abspath $(SHARED)) $(GO) test -count=1 -run TestEvalGate -v ./cmd/triage
