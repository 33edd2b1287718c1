# Jiesu: one command set for people and CI. `make run` and `make test` set everything up first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
export AWS_DEFAULT_REGION ?= us-east-1
export UV_PYTHON := $(PYTHON)
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
PYTEST := $(BIN)/python -m pytest -p no:logging
CHROMIUM ?= /usr/bin/chromium
TIME_SCALE ?= 720
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.ts -type f 2>/dev/null)

.PHONY: help setup run test lint typecheck test-unit test-integration test-statemachines test-infra \
        test-browser frontend system-deps clean bench history topics model load reset fuzz

help:
	@echo "make run    set everything up and start the local stack on http://localhost:8000"
	@echo "make reset  forget the local stack's data (kept in .local-data/ between runs)"
	@echo "make test   set everything up and run lint, types and every test layer"
	@echo "make fuzz   schemathesis over every API operation, about 25,000 cases (docs/benchmarks.md)"
	@echo "make history  (with make run going) generate three months of de-identified facts"
	@echo "make topics MONTH=2026-10  run the monthly analysis on the local stack"
	@echo "make synth  synthesize the CDK app into cdk.out (and cfn-lint it)"
	@echo "make deploy deploy to the AWS account of your credentials (docs/deploy.md)"

# --- the Python environment (uv, locked) with Node 24 inside it ---------------------------------
$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(BIN)/uv pyproject.toml uv.lock
	$(BIN)/uv sync --frozen --inexact --quiet
	@touch $@

setup: $(VENV)/.synced model frontend

# --- the dispatch model, trained from the written data (infra/smart_dispatch; about a minute) ---
DATA := functions/chalicelib/data
MODEL := $(DATA)/model/dispatch.json.gz
MODEL_SOURCES := $(DATA)/categories.json $(DATA)/dispatch_examples.json $(DATA)/t2s.json $(DATA)/emergencies.json \
	$(wildcard $(DATA)/training/*.jsonl $(DATA)/evaluation/*.jsonl $(DATA)/emergency_training/*.jsonl) \
	functions/chalicelib/domain/classifier.py functions/chalicelib/domain/smart_dispatch.py \
	functions/chalicelib/domain/dispatch_training.py \
	functions/chalicelib/domain/triage.py
$(MODEL): $(VENV)/.synced $(MODEL_SOURCES)
	$(BIN)/python -m infra.smart_dispatch

model: $(MODEL)

# --- the frontend (Vue 3 + Vite, built with the venv's Node 24) --------------------------------
frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json $(VENV)/.synced
	cd frontend && $(CURDIR)/$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The staff portal's API types come from the API's own OpenAPI document (infra/local/openapi.py).
API_SOURCES := $(shell find functions -name '*.py' 2>/dev/null)
frontend/build/openapi.json: $(VENV)/.synced $(API_SOURCES) infra/local/openapi.py
	$(BIN)/python -m infra.local.openapi $@

frontend/src/staff/schema.d.ts: frontend/build/openapi.json frontend/node_modules/.installed
	cd frontend && $(CURDIR)/$(BIN)/npm run --silent schema

# The public pages' types (and the enums' values) come from the same document.
frontend/src/lib/schema.ts: frontend/build/openapi.json frontend/node_modules/.installed
	cd frontend && $(CURDIR)/$(BIN)/npm run --silent schema:public

frontend/dist/index.html: frontend/node_modules/.installed frontend/src/staff/schema.d.ts frontend/src/lib/schema.ts $(FRONTEND_SOURCES)
	cd frontend && $(CURDIR)/$(BIN)/npm run --silent build

frontend: frontend/dist/index.html

# --- Debian packages the browser tests need (CI's .ci/run installs them too) --------------------
system-deps:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Installing Debian's chromium and CJK fonts for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

# --- run ----------------------------------------------------------------------------------------
run: setup
	$(BIN)/python -m infra.local --port 8000 --time-scale $(TIME_SCALE) --data-dir "$${JIESU_LOCAL_DATA:-.local-data}"

# The local stack keeps its tables, objects and accounts in .local-data/ between runs (written on
# stop, restored on start; JIESU_LOCAL_DATA names another directory): `make reset` forgets them.
reset:
	rm -rf "$${JIESU_LOCAL_DATA:-.local-data}"

# --- analytics on the running local stack (make run): EventBridge Scheduler never fires locally --
# `make history` puts three months of generated facts into the analytics bucket and compacts them;
# `make topics MONTH=2026-10` runs the monthly analysis (rankings, topic candidates, hotspots).
ANALYTICS := $(BIN)/python -m infra.local.analytics
history: $(VENV)/.synced
	$(ANALYTICS) history $(if $(FROM),--from $(FROM)) $(if $(TO),--to $(TO)) $(if $(ORDERS),--orders $(ORDERS))

topics: $(VENV)/.synced
	$(ANALYTICS) topics $(if $(MONTH),--month $(MONTH))

# --- test ---------------------------------------------------------------------------------------
lint: $(VENV)/.synced
	$(BIN)/ruff check functions infra tests
	$(BIN)/ruff format --check functions infra tests

typecheck: $(VENV)/.synced
	$(BIN)/mypy functions infra tests

test-unit: $(VENV)/.synced $(MODEL)
	$(PYTEST) tests/unit

# The integration and browser layers wait on local stacks (moto, a Lambda's run, chromium) more
# than they compute in pytest's process: TEST_WORKERS pytest-xdist workers (one per core on CI's
# two) take the files whole, in the order collected (the layer's conftest.py says it: the fuzz
# tests last), each file on one worker with its worker's stacks. TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
XDIST = $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder)

test-integration: $(VENV)/.synced $(MODEL)
	$(PYTEST) $(XDIST) tests/integration

test-statemachines: $(VENV)/.synced $(MODEL)
	$(PYTEST) tests/statemachines

test-infra: $(VENV)/.synced $(MODEL) layer
	$(PYTEST) tests/infra

test-browser: setup system-deps
	CHROMIUM=$(CHROMIUM) $(PYTEST) $(XDIST) tests/browser

# Each layer runs in its own process: unit tests disable sockets, the others run moto or jsii.
# synth comes before the infra tests: their cfn-lint run also reads .cfnlintrc.yaml, which names cdk.out.
test: lint typecheck test-unit test-integration test-statemachines synth test-infra test-browser

# --- benchmarks: the budgets of DESIGN.md section 9 (docs/benchmarks.md); not part of `make test` --
bench: $(VENV)/.synced $(MODEL) frontend
	$(BIN)/python -m tests.benchmarks.faults
	$(BIN)/python -m tests.benchmarks.lifecycle
	$(BIN)/python -m tests.benchmarks.dispatch
	$(BIN)/python -m tests.benchmarks.retraining
	$(BIN)/python -m tests.benchmarks.knowledge
	$(BIN)/python -m tests.benchmarks.reply_review
	$(BIN)/python -m tests.benchmarks.page_weight
	$(BIN)/python -m tests.benchmarks.analytics
	$(BIN)/python -m tests.benchmarks.cost

# --- a day of Beijing on the local stack (Locust, headless, bounded; docs/benchmarks.md) ---------
load: $(VENV)/.synced $(MODEL)
	$(BIN)/python -m tests.load.day $(if $(LOAD_SECONDS),--seconds $(LOAD_SECONDS)) $(if $(LOAD_PEAK_USERS),--peak-users $(LOAD_PEAK_USERS))

# --- fuzzing: schemathesis over every operation, FUZZ_CASES cases per operation, caller and mode
# (positive and negative), about 25,000 in all; the figures go in docs/benchmarks.md. `make test`
# runs the same tests with 2 cases each.
FUZZ_CASES ?= 60
fuzz: $(VENV)/.synced $(MODEL)
	JIESU_FUZZ_CASES=$(FUZZ_CASES) $(PYTEST) tests/integration/test_fuzz.py -k "operations or routes"
	@cat test-artifacts/fuzz.txt

clean:
	rm -rf cdk.out chalice.out build frontend/dist test-artifacts functions/.chalice/deployments

include infra/aws/aws.mk
