# Qoltanba — the two commands of the README are `make run` and `make test`; the rest serve them.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
export LANG ?= en_US.UTF-8

VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
BIN      := bin/qoltanba
FUZZTIME ?= 30s
GOTEST   ?= go test

.PHONY: run build test bench fuzz lint screenshots package deps deps-test deps-bench clean

## run: install what is missing, build, start the demo portal (TEST, scripts/demo-portal.sh), and open the GUI
run: build
	@scripts/demo-portal.sh || true
	./$(BIN)

## build: the one program, GUI and CLI, and the reference portal
build: deps
	go build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/qoltanba
	go build -ldflags '$(LDFLAGS)' -o bin/qoltanba-portal ./cmd/qoltanba-portal

## test: install the test dependencies and run every test; the GUI package once more under the race detector
test: deps-test
	# packaging builds every installer (cold: a quarter of an hour) and runs them under Wine.
	$(GOTEST) -count=1 -timeout 60m ./...
	# The GUI's workers hand widgets to the UI goroutine; the race detector
	# keeps them honest.
	$(GOTEST) -race -count=1 ./ui/

## bench: side-by-side figures against the reference tools (OpenSSL GOST engine, …)
bench: deps-bench
	scripts/bench.sh

## fuzz: run every fuzz target for FUZZTIME each (e.g. make fuzz FUZZTIME=5m)
fuzz: deps-test
	scripts/fuzz.sh $(FUZZTIME)

## screenshots: every screen in kk, ru and en from the real program under Xvfb (OUT=dir, default screenshots/)
screenshots: build
	@scripts/deps.sh shots
	scripts/screenshots.sh $(or $(OUT),screenshots)

## package: installers in dist/ — Windows MSI (per user and per machine) and zip, Linux .deb and .tar.gz, SHA256SUMS
## (SIGN_CERT=cert.pem SIGN_KEY=key.pem signs the Windows files)
package: deps
	@scripts/deps.sh package
	SIGN_CERT=$(SIGN_CERT) SIGN_KEY=$(SIGN_KEY) scripts/package.sh dist

## lint: gofmt, go vet, staticcheck
lint: deps
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

STATICCHECK_VERSION ?= v0.8.2

deps:
	@scripts/deps.sh build
deps-test:
	@scripts/deps.sh test
deps-bench:
	@scripts/deps.sh bench

clean:
	rm -rf bin dist
