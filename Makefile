# triage — two commands matter:
#   make run    build, start on the embedded store with the demo data, print URL and token
#   make test   every test, lint and the evaluation gate
GO      ?= go
BIN     := bin/triage
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run test lint unit fuzz bench clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/triage

run: build
	./$(BIN) serve --demo

test: lint unit

lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

unit:
	$(GO) test -count=1 ./...

# Longer fuzzing than the seed corpora that `make test` runs.
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run XXX -fuzz FuzzCreateTicket -fuzztime $(FUZZTIME) ./api

bench:
	$(GO) test -run XXX -bench . -benchmem ./...

clean:
	rm -rf bin
